/**
 * SES email sending events (bounce, complaint, delivery, reject), as a configuration set publishes
 * them, read into health signals. Pure.
 *
 * Which subscription an event is about comes from the message tags set on sending (transport.ts,
 * channels.ts): SES copies a configuration set's message tags into `mail.tags` of every event of
 * that message, the recipient never sees them, and they are not cut short as `mail.headers` may
 * be (`headersTruncated`). The recipient is checked against the subscription's address as well.
 *
 * Accepted wrappings of one event: the bare record (an SNS subscription with raw message
 * delivery, as the stack sets up), the SNS notification envelope (`Type: Notification`, the record
 * as its `Message` string), and an EventBridge event (the record as its `detail`).
 * Shapes: https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
import type { HealthSignal } from '../../domain/subscription-health.ts';

export interface MailEvent {
  /** `Bounce`, `Complaint`, `Delivery`, `Reject`, … as SES names it. */
  type: string;
  /** The SES MessageId of the mail the event is about. */
  messageId: string;
  subscriptionId?: string;
  deliveryId?: string;
  /** What the mail was: `alert` or `confirmation` (the `mail` tag). */
  mail?: string;
  /** The addresses the event is about (bounced, complained or delivered recipients). */
  recipients: string[];
  /** What it means for the subscription; undefined when nothing (a reject, a "not spam" report). */
  signal?: HealthSignal;
  /** A line for the logs (why there is no signal, or what the bounce said). */
  note?: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** The SES record inside whatever carried it, or undefined when it is not one. */
export function unwrapSesRecord(body: unknown): Json | undefined {
  let value = body;
  if (typeof value === 'string') value = parseJson(value);
  if (isObject(value) && value.Type === 'Notification' && typeof value.Message === 'string') {
    value = parseJson(value.Message);
  }
  if (isObject(value) && isObject(value.detail) && typeof value['detail-type'] === 'string') {
    value = value.detail;
  }
  if (!isObject(value) || !isObject(value.mail)) return undefined;
  // Event publishing names it eventType; an identity's feedback notifications, notificationType.
  return (text(value.eventType) ?? text(value.notificationType)) !== undefined ? value : undefined;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The first value of a message tag (`mail.tags` holds each as a list). */
function tag(mail: Json, name: string): string | undefined {
  const tags = isObject(mail.tags) ? mail.tags : {};
  return strings(tags[name])[0];
}

const timeOf = (value: unknown, fallback: Date): Date => {
  const parsed = Date.parse(text(value) ?? '');
  return Number.isNaN(parsed) ? fallback : new Date(parsed);
};

/** "smtp; 550 5.1.1 user unknown" → "550 5.1.1 user unknown", kept short. */
const diagnosis = (recipient: Json | undefined) => {
  const code = text(recipient?.diagnosticCode)?.replace(/^smtp;\s*/i, '');
  return (code ?? text(recipient?.status))?.slice(0, 300);
};

const BOUNCE_SUBTYPES: Record<string, string> = {
  NoEmail: 'the address does not exist',
  Suppressed: 'SES has the address on its global suppression list',
  OnAccountSuppressionList: "the address is on this account's SES suppression list",
};

/** Reads one SES event (in any accepted wrapping); undefined when the body is not one. */
export function readSesEvent(body: unknown, now: Date): MailEvent | undefined {
  const record = unwrapSesRecord(body);
  if (!record) return undefined;
  const mail = record.mail as Json;
  const type = text(record.eventType) ?? text(record.notificationType)!;
  const event: MailEvent = {
    type,
    messageId: text(mail.messageId) ?? '',
    recipients: strings(mail.destination),
  };
  const subscriptionId = tag(mail, 'subscription');
  const deliveryId = tag(mail, 'delivery');
  const kind = tag(mail, 'mail');
  if (subscriptionId) event.subscriptionId = subscriptionId;
  if (deliveryId) event.deliveryId = deliveryId;
  if (kind) event.mail = kind;
  return { ...event, ...meaning(type, record, event, now) };
}

function meaning(
  type: string,
  record: Json,
  event: MailEvent,
  now: Date,
): Pick<MailEvent, 'signal' | 'note' | 'recipients'> {
  if (type === 'Bounce' && isObject(record.bounce)) {
    const bounce = record.bounce;
    const recipients = (Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : []).filter(
      isObject,
    );
    const said = diagnosis(recipients[0]);
    const subtype = text(bounce.bounceSubType) ?? '';
    const addresses = recipients.map((r) => text(r.emailAddress)).filter((a): a is string => !!a);
    const found = addresses.length > 0 ? addresses : event.recipients;
    if (bounce.bounceType === 'Permanent') {
      const why = said ?? BOUNCE_SUBTYPES[subtype] ?? (subtype || 'no reason given');
      return {
        recipients: found,
        signal: { kind: 'refused', reason: `the address bounced permanently: ${why}` },
        note: `permanent bounce (${subtype})`,
      };
    }
    // Transient (mailbox full, message too large, …) or Undetermined: a failure, not a refusal.
    return {
      recipients: found,
      signal: {
        kind: 'failed',
        at: timeOf(bounce.timestamp, now),
        detail: `a ${String(bounce.bounceType ?? 'transient').toLowerCase()} bounce (${subtype || 'no subtype'})${said ? `: ${said}` : ''}`,
      },
      note: `${String(bounce.bounceType)} bounce (${subtype})`,
    };
  }
  if (type === 'Complaint' && isObject(record.complaint)) {
    const complaint = record.complaint;
    const complained = (Array.isArray(complaint.complainedRecipients) ? complaint.complainedRecipients : [])
      .filter(isObject)
      .map((r) => text(r.emailAddress))
      .filter((a): a is string => !!a);
    const recipients = complained.length > 0 ? complained : event.recipients;
    const feedback = text(complaint.complaintFeedbackType);
    // A "not spam" report is the opposite of a complaint.
    if (feedback === 'not-spam') return { recipients, note: 'not-spam feedback' };
    const what = event.mail === 'confirmation' ? 'the confirmation mail' : 'an alert';
    return {
      recipients,
      signal: { kind: 'refused', reason: `the recipient marked ${what} as spam` },
      note: `complaint (${feedback ?? 'no feedback type'})`,
    };
  }
  if (type === 'Delivery' && isObject(record.delivery)) {
    const delivery = record.delivery;
    const recipients = strings(delivery.recipients);
    return {
      recipients: recipients.length > 0 ? recipients : event.recipients,
      signal: { kind: 'delivered', at: timeOf(delivery.timestamp, now) },
    };
  }
  if (type === 'Reject') {
    // SES found a virus in the message: our content, not the subscriber's doing.
    const reason = isObject(record.reject) ? text(record.reject.reason) : undefined;
    return { recipients: event.recipients, note: `rejected by SES: ${reason ?? 'no reason given'}` };
  }
  return { recipients: event.recipients, note: `no health meaning for ${type}` };
}

/** Whether the event is about this address (addresses compare without regard to case). */
export function concernsAddress(event: MailEvent, address: string | undefined): boolean {
  if (!address) return false;
  const wanted = address.trim().toLowerCase();
  return event.recipients.some((recipient) => bareAddress(recipient) === wanted);
}

/** `Reader <reader@example.net>` → `reader@example.net`. */
const bareAddress = (recipient: string) =>
  (/<([^>]+)>\s*$/.exec(recipient)?.[1] ?? recipient).trim().toLowerCase();
