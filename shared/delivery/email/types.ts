/**
 * Plain data in and out of the email renderers. The rendering input is deliberately its own
 * interface rather than the stored event type, so rendering stays a pure function that tests
 * can feed literals, and the domain model can evolve without touching templates.
 */

export type EventPrecision = 'day' | 'month' | 'year' | 'decade' | 'century' | 'interval';

export type AlertActor =
  | { type: 'state'; code: string; role?: string }
  | { type: 'organisation' | 'person'; name: string; role?: string };

export interface AlertSource {
  url: string;
  title: string;
  publisher: string;
  publishedAt: string;
}

export interface AlertEvent {
  id: string;
  kind: string;
  title: string;
  summary: string;
  /** The date as written, in EDTF, e.g. "2024-06-15~", "2024-01", "2024-06-10/2024-06-20". */
  date: string;
  /** Normalised bounds of `date` (ISO calendar dates). */
  earliest: string;
  latest: string;
  precision: EventPrecision;
  location?: { name: string; country?: string };
  actors: AlertActor[];
  tags: string[];
  sources: AlertSource[];
}

export type AlertType = 'event.created' | 'event.updated' | 'event.deleted';

export interface AlertEmailInput {
  type: AlertType;
  event: AlertEvent;
  /** Previous values of the fields that changed, keyed by field name (event.updated only). */
  previous?: Record<string, unknown>;
  /** The event's page, for people. */
  eventUrl: string;
  /** The event as JSON in the API (`/v1/events/{id}`), linked beside the page. */
  apiUrl?: string;
  /** One-click URL: GET shows a confirmation page, POST unsubscribes (RFC 8058). */
  unsubscribeUrl: string;
  /** Optional line explaining why the recipient gets this mail (e.g. which filter matched). */
  manageNote?: string;
}

export interface ConfirmEmailInput {
  confirmUrl: string;
  filterSummary: string;
}

export interface DisabledNoticeEmailInput {
  subscriptionId: string;
  /** Where deliveries were going: a webhook URL or an email address. */
  target: string;
  filterSummary: string;
  /** ISO timestamp of the first failure of the streak that led to disabling. */
  failingSince: string;
  /** ISO timestamp of when the subscription was disabled. */
  disabledAt: string;
  /** Last error seen, as a short human-readable line (e.g. "HTTP 503", "connection refused"). */
  lastError?: string;
  /** Where the owner can inspect and re-enable the subscription. */
  manageUrl?: string;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}
