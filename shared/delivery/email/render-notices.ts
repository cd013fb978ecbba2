/** Mails about a subscription itself: the double opt-in request and the disabled notice. */
import { BASE_HEADERS, escapeHtml, htmlDocument, htmlLink, isWebUrl, STYLE } from './html.ts';
import { humanCalendarDate } from './human-date.ts';
import type { ConfirmEmailInput, DisabledNoticeEmailInput, OutgoingEmail } from './types.ts';

/** Double opt-in: asks the address owner to confirm a new email subscription. */
export function renderConfirmationEmail(to: string, input: ConfirmEmailInput): OutgoingEmail {
  const subject = '[Dateline] Confirm your alert subscription';
  const intro = 'Someone, hopefully you, asked to receive Dateline email alerts at this address for:';
  const ignore =
    'If this was not you, ignore this email: nothing will be sent unless the subscription is confirmed.';
  const text = [
    intro,
    '',
    `  ${input.filterSummary}`,
    '',
    'To start receiving them, confirm here:',
    input.confirmUrl,
    '',
    ignore,
    '',
  ].join('\n');
  const html = htmlDocument(
    subject,
    [
      `<p>${escapeHtml(intro)}</p>`,
      `<p><strong>${escapeHtml(input.filterSummary)}</strong></p>`,
      `<p>${htmlLink(input.confirmUrl, 'Confirm the subscription')}</p>`,
      `<p style="${STYLE.muted}">${escapeHtml(ignore)}</p>`,
    ].join('\n'),
  );
  return { to, subject, text, html, headers: { ...BASE_HEADERS } };
}

/**
 * Webhook URLs often carry secrets in their path or query (chat-service hooks do), and mail passes
 * through many hands, so a URL target is identified by its origin only.
 */
function describeTarget(target: string): string {
  return isWebUrl(target) ? new URL(target).origin : target;
}

function humanTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const utc = new Date(ms).toISOString();
  return `${humanCalendarDate(utc)} ${utc.slice(11, 16)} UTC`;
}

/** Tells an owner their subscription was disabled after its deliveries kept failing. */
export function renderDisabledNoticeEmail(to: string, input: DisabledNoticeEmailInput): OutgoingEmail {
  const subject = '[Dateline] Subscription disabled after repeated delivery failures';
  const days = Math.floor((Date.parse(input.disabledAt) - Date.parse(input.failingSince)) / 86_400_000);
  const duration = days >= 1 ? ` (${days} day${days === 1 ? '' : 's'})` : '';
  const paragraphs = [
    `We have disabled your Dateline subscription ${input.subscriptionId} (${input.filterSummary}), which delivers to ${describeTarget(input.target)}.`,
    `Deliveries to it have kept failing since ${humanTimestamp(input.failingSince)}${duration}; we stopped trying on ${humanTimestamp(input.disabledAt)}.${input.lastError ? ` Last error: ${input.lastError}.` : ''}`,
    'No further alerts will be sent to it until you fix the target and re-enable the subscription.',
  ];
  const manage = input.manageUrl ? `Manage the subscription: ${input.manageUrl}` : undefined;
  const text = [...paragraphs, ...(manage ? [manage] : [])].join('\n\n').concat('\n');
  const html = htmlDocument(
    subject,
    [
      ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
      ...(input.manageUrl ? [`<p>${htmlLink(input.manageUrl, 'Manage the subscription')}</p>`] : []),
    ].join('\n'),
  );
  return { to, subject, text, html, headers: { ...BASE_HEADERS } };
}
