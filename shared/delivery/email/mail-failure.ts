/**
 * What a failed send says about the recipient. A mail transport talks to our own relay (an SMTP
 * server, or SES), not to the recipient's mail server, so most failures are ours: the relay is
 * down, refuses our credentials or our sender, our SES account is paused or not verified. Only a
 * reply to the recipient's own RCPT TO or DATA speaks of the address; and of those, only an
 * address status (RFC 3463 5.1.x: no such mailbox, bad domain; 5.2.1: mailbox disabled) is the
 * address's fault for good. Policy refusals (5.7.x: spam, SPF/DMARC, relaying) are about the
 * sender, so they never disable a subscriber. SES reports bounces and complaints asynchronously
 * (shared/delivery/email/ses-events.ts); its synchronous errors are all about the account.
 */

export type MailFailure =
  /** The provider asked us to slow down (SES throttling, SMTP 421/451): backpressure, not a failure. */
  | { kind: 'throttled'; detail: string }
  /** The address does not take mail and will not (SMTP 5xx with an address status). */
  | { kind: 'refused'; detail: string }
  /** The address could not take it now (SMTP 4xx, or a 5xx that names no address status). */
  | { kind: 'temporary'; detail: string }
  /** Our side: relay, credentials, sender, SES account or configuration. The subscriber is not at fault. */
  | { kind: 'ours'; detail: string };

/** SES's "slow down" errors (sending rate, too many requests) and SMTP's 421/451 temporary refusals. */
const SES_THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);
const SMTP_THROTTLING = new Set([421, 451]);

/** The commands whose reply is about one recipient (nodemailer's `command` on the error). */
const RECIPIENT_COMMANDS = new Set(['RCPT TO', 'DATA']);

interface TransportError {
  name?: string;
  message?: string;
  /** nodemailer: the SMTP reply code and line, and the command it answered. */
  responseCode?: number;
  response?: string;
  command?: string;
}

export function isMailThrottling(error: unknown): boolean {
  const { name, responseCode } = (error ?? {}) as TransportError;
  return (name !== undefined && SES_THROTTLING.has(name)) || SMTP_THROTTLING.has(responseCode ?? 0);
}

/** The RFC 3463 enhanced status code in an SMTP reply ("550 5.1.1 user unknown" → [5, 1, 1]). */
function enhancedStatus(reply: string): [number, number, number] | undefined {
  const match = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reply);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Whether a permanent reply blames the address: 5.1.x other than the sender's (5.1.7, 5.1.8), or 5.2.1. */
function blamesAddress(code: number, reply: string, command: string): boolean {
  const status = enhancedStatus(reply);
  if (status) {
    const [, subject, detail] = status;
    return (subject === 1 && detail !== 7 && detail !== 8) || (subject === 2 && detail === 1);
  }
  // Without an enhanced code, only RCPT TO's own "no such user" replies (RFC 5321 §4.2.2) say so;
  // a bare 550 after DATA is as often a content or reputation refusal.
  return command === 'RCPT TO' && (code === 550 || code === 551 || code === 553) && !/relay/i.test(reply);
}

/** Classifies an error a MailTransport rejected with. */
export function classifyMailFailure(error: unknown): MailFailure {
  const { name, message, responseCode, response, command } = (error ?? {}) as TransportError;
  const reply = response ?? message ?? String(error);
  if (isMailThrottling(error)) return { kind: 'throttled', detail: reply };
  if (responseCode === undefined || command === undefined || !RECIPIENT_COMMANDS.has(command)) {
    return { kind: 'ours', detail: name && name !== 'Error' ? `${name}: ${reply}` : reply };
  }
  if (responseCode >= 500 && responseCode < 600 && blamesAddress(responseCode, reply, command)) {
    return { kind: 'refused', detail: reply };
  }
  if (responseCode >= 400 && responseCode < 500) return { kind: 'temporary', detail: reply };
  // Mail system, protocol, content and policy statuses (5.3, 5.5, 5.6, 5.7: too big, relaying
  // denied, spam, SPF/DKIM/DMARC) are verdicts on what and how we send, not on the address.
  const subject = enhancedStatus(reply)?.[1];
  if ((subject !== undefined && [3, 5, 6, 7].includes(subject)) || /relay/i.test(reply)) {
    return { kind: 'ours', detail: reply };
  }
  return { kind: 'temporary', detail: reply };
}
