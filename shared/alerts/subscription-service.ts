import { monotonicFactory } from 'ulid';
import { assertSafeWebhookUrl, isResolutionFailure } from '../delivery/ssrf-guard.ts';
import { generateWebhookSecret } from '../delivery/webhook-signature.ts';
import type { Delivery, DeliveryKind } from '../domain/delivery.ts';
import { type DigestFrequency, digestSettings } from '../domain/digest.ts';
import type { AlertType, BackfillRequest, Subscription, SubscriptionFilter } from '../domain/subscription.ts';
import {
  managementTokenSubject,
  newManagementToken,
  sealSecret,
  tokenMatches,
  verifyLinkToken,
} from '../domain/tokens.ts';
import {
  ConflictError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsafeTargetError,
  ValidationError,
} from '../errors.ts';
import type { DeliveryRepository } from '../store/delivery-repository.ts';
import type { ListingPage, ListingRequest } from '../store/subscription-listing.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import { attemptDelivery, type DeliverDeps } from './deliver.ts';
import type { DeliveryQueue } from './fanout.ts';
import type { Replay, ReplayService } from './replay.ts';

/** Confirmation mails one address can be sent per UTC day through the public subscribe endpoint. */
export const CONFIRMATIONS_PER_ADDRESS_PER_DAY = 5;

/** How long a rotated-out webhook secret keeps signing, so receivers can switch without missing alerts. */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

export interface SubscriptionServiceDeps {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  deliver: DeliverDeps;
  clock?: () => Date;
  /** How long checking a webhook URL may wait for DNS (default: the guard's DNS_TIMEOUT_MS). */
  resolveTimeoutMs?: number;
  /** Replays and backfills (they read the timeline); without it both are refused. */
  replays?: ReplayService;
}

/** How often a new subscription is told, and which past events it is sent at once. */
export interface SubscribeOptions {
  frequency?: DigestFrequency;
  digestHour?: number;
  backfill?: BackfillRequest;
}

export interface WebhookRequest extends SubscribeOptions {
  url: string;
  filter: SubscriptionFilter;
  types: AlertType[];
  contactEmail?: string;
}

export interface SubscriptionChanges {
  filter?: SubscriptionFilter;
  types?: AlertType[];
  url?: string;
  contactEmail?: string | null;
  /** Only `active`, to re-enable a disabled subscription. */
  status?: 'active';
  frequency?: DigestFrequency;
  digestHour?: number;
}

const newId = monotonicFactory();

/** Subscription use cases: subscribe (email double opt-in, webhook), manage, test, rotate, inspect and retry deliveries. */
export class SubscriptionService {
  private readonly clock: () => Date;

  constructor(private readonly deps: SubscriptionServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Email: pending until the link in the confirmation mail is followed; nothing else is sent before. */
  async subscribeEmail(
    address: string,
    filter: SubscriptionFilter,
    types: AlertType[],
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const settings = digestSettings({}, options);
    // A backfill too broad is refused now; it is sent once the address is confirmed.
    if (options.backfill && 'from' in options.backfill)
      await this.requireReplays().matching({ filter }, options.backfill);
    const now = this.clock();
    if (
      !(await this.deps.subscriptions.countConfirmationRequest(
        address,
        now,
        CONFIRMATIONS_PER_ADDRESS_PER_DAY,
      ))
    ) {
      const tomorrow = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000;
      throw new TooManyRequestsError(
        `At most ${CONFIRMATIONS_PER_ADDRESS_PER_DAY} confirmation mails a day go to one address; try again tomorrow`,
        Math.ceil((tomorrow - now.getTime()) / 1000),
      );
    }
    const at = now.toISOString();
    const subscription: Subscription = {
      id: newId(),
      channel: 'email',
      address,
      filter,
      types,
      ...settings,
      ...(options.backfill ? { backfill: options.backfill } : {}),
      status: 'pending',
      secrets: [],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await this.deps.subscriptions.create(subscription);
    await this.recordAndEnqueue(
      subscription,
      'subscription.confirm',
      JSON.stringify({ type: 'subscription.confirm' }),
    );
    return subscription;
  }

  /** Webhook: active at once; the answer carries the signing secret and the management token, shown once. */
  async subscribeWebhook(
    request: WebhookRequest,
  ): Promise<{ subscription: Subscription; secret: string; token: string; backfill?: Replay }> {
    await this.assertSafeTarget(request.url);
    const settings = digestSettings({}, request);
    const backfill = request.backfill
      ? { request: request.backfill, events: await this.requireReplays().matching(request, request.backfill) }
      : undefined;
    const at = this.clock().toISOString();
    const id = newId();
    const secret = generateWebhookSecret();
    const { token, hash } = newManagementToken(id);
    const key = await this.deps.deliver.tokenKey();
    const subscription: Subscription = {
      id,
      channel: 'webhook',
      url: request.url,
      ...(request.contactEmail ? { contactEmail: request.contactEmail } : {}),
      filter: request.filter,
      types: request.types,
      ...settings,
      status: 'active',
      secrets: [{ sealed: sealSecret(key, secret), createdAt: at }],
      tokenHash: hash,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await this.deps.subscriptions.create(subscription);
    if (!backfill) return { subscription, secret, token };
    const replay = await this.requireReplays().backfill(subscription, backfill.request, backfill.events);
    return { subscription, secret, token, backfill: replay };
  }

  get(id: string): Promise<Subscription> {
    return this.deps.subscriptions.get(id);
  }

  /** The subscription a management token opens, or UnauthorizedError. */
  async authorise(id: string, token: string): Promise<Subscription> {
    const subscription =
      managementTokenSubject(token) === id ? await this.get(id).catch(() => undefined) : undefined;
    if (!subscription || !tokenMatches(token, subscription.tokenHash)) {
      throw new UnauthorizedError('This token does not manage this subscription');
    }
    return subscription;
  }

  async update(id: string, changes: SubscriptionChanges): Promise<Subscription> {
    const current = await this.get(id);
    if (current.status === 'unsubscribed')
      throw new ConflictError('This subscription was unsubscribed; create a new one');
    if (changes.url !== undefined) {
      if (current.channel !== 'webhook')
        throw new ValidationError('Only webhook subscriptions have a url', [
          { path: 'body.url', message: 'not a webhook subscription' },
        ]);
      await this.assertSafeTarget(changes.url);
    }
    if (changes.status === 'active' && current.status === 'pending') {
      throw new ConflictError('An email subscription becomes active only through its confirmation link');
    }
    const settings = digestSettings(current, changes);
    const next: Subscription = {
      ...current,
      ...settings,
      ...(changes.filter ? { filter: changes.filter } : {}),
      ...(changes.types ? { types: changes.types } : {}),
      ...(changes.url ? { url: changes.url } : {}),
      ...(changes.contactEmail ? { contactEmail: changes.contactEmail } : {}),
      ...(changes.status === 'active' ? { status: 'active' as const } : {}),
      updatedAt: this.clock().toISOString(),
      version: current.version + 1,
    };
    if (changes.contactEmail === null) delete next.contactEmail;
    if (!settings.frequency) delete next.frequency;
    if (settings.digestHour === undefined) delete next.digestHour;
    if (changes.status === 'active') {
      delete next.failingSince;
      delete next.statusReason;
    }
    await this.deps.subscriptions.save(current, next);
    return next;
  }

  async unsubscribe(id: string): Promise<Subscription> {
    const current = await this.get(id);
    if (current.status === 'unsubscribed') return current;
    return this.saveChanged(current, { status: 'unsubscribed' });
  }

  /**
   * The subscription a confirmation or unsubscribe link names, unchanged: what its page shows
   * before the button is pressed (a mail scanner that follows the link changes nothing).
   */
  async linked(purpose: 'confirm' | 'unsubscribe', token: string): Promise<Subscription> {
    const id = verifyLinkToken(await this.deps.deliver.tokenKey(), purpose, token, this.clock());
    if (!id) {
      throw new NotFoundError(
        purpose === 'confirm'
          ? 'This confirmation link is not valid or has expired'
          : 'This unsubscribe link is not valid',
      );
    }
    return this.get(id);
  }

  /** Activates a pending subscription; any other is returned as it is (an unsubscribed one stays so). */
  async confirm(token: string): Promise<Subscription> {
    const current = await this.linked('confirm', token);
    // Confirmed before, but its backfill was not finished then (the link followed again finishes it).
    if (current.status === 'active' && current.backfill) return this.finishBackfill(current);
    if (current.status !== 'pending') return current;
    const active = await this.saveChanged(current, { status: 'active' });
    return active.backfill ? this.finishBackfill(active) : active;
  }

  /** Sends a confirmed subscription's backfill (under its one id, so never twice), then forgets it. */
  private async finishBackfill(subscription: Subscription): Promise<Subscription> {
    await this.requireReplays().backfill(subscription, subscription.backfill!);
    const { backfill: _sent, ...rest } = subscription;
    const next: Subscription = {
      ...rest,
      updatedAt: this.clock().toISOString(),
      version: subscription.version + 1,
    };
    await this.deps.subscriptions.save(subscription, next);
    return next;
  }

  /** Sends the past events dated within the range again (POST …/replay); see ReplayService.replay. */
  async replay(
    id: string,
    request: { from: string; to: string },
    idempotencyKey?: string,
  ): Promise<{ replay: Replay; repeated: boolean }> {
    return this.requireReplays().replay(await this.get(id), request, idempotencyKey);
  }

  private requireReplays(): ReplayService {
    if (!this.deps.replays) throw new Error('replays need a ReplayService in SubscriptionServiceDeps');
    return this.deps.replays;
  }

  async unsubscribeByToken(token: string): Promise<Subscription> {
    return this.unsubscribe((await this.linked('unsubscribe', token)).id);
  }

  /** Sends a signed `ping` now and answers with the recorded delivery. */
  async ping(id: string): Promise<Delivery> {
    const subscription = await this.get(id);
    if (subscription.channel !== 'webhook')
      throw new ValidationError('Only webhook subscriptions can be pinged');
    const at = this.clock().toISOString();
    const body = JSON.stringify({
      type: 'ping',
      timestamp: at,
      data: { subscriptionId: id, message: 'Dateline test delivery' },
    });
    // Due later than now, so a background worker leaves it to this request's own attempt.
    const ref = await this.record(
      subscription,
      'ping',
      body,
      new Date(Date.parse(at) + 3600_000).toISOString(),
    );
    await attemptDelivery(this.deps.deliver, ref, { ignoreSchedule: true });
    return (await this.deps.deliveries.get(ref))!.delivery;
  }

  async rotateSecret(id: string): Promise<{ subscription: Subscription; secret: string }> {
    const current = await this.get(id);
    if (current.channel !== 'webhook')
      throw new ValidationError('Only webhook subscriptions have a signing secret');
    const now = this.clock();
    const overlapEnds = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
    const secret = generateWebhookSecret();
    const key = await this.deps.deliver.tokenKey();
    const next: Subscription = {
      ...current,
      // Older secrets keep signing until the overlap ends; the newest stays first.
      secrets: [
        { sealed: sealSecret(key, secret), createdAt: now.toISOString() },
        ...current.secrets
          .filter((old) => old.expiresAt === undefined || Date.parse(old.expiresAt) > now.getTime())
          .map((old) => ({ ...old, expiresAt: old.expiresAt ?? overlapEnds })),
      ],
      updatedAt: now.toISOString(),
      version: current.version + 1,
    };
    await this.deps.subscriptions.save(current, next);
    return { subscription: next, secret };
  }

  deliveries(id: string, limit: number, before?: string) {
    return this.deps.deliveries.list(id, limit, before);
  }

  /** The admin listing: subscriptions by status and channel, a page at a time. */
  list(request: ListingRequest): Promise<ListingPage> {
    return this.deps.subscriptions.listing.page(request);
  }

  /** Delivers a finished (dead, gone or skipped) delivery again, with a fresh retry schedule. */
  async retry(id: string, deliveryId: string): Promise<Delivery> {
    const ref = { subscriptionId: id, deliveryId };
    const record = await this.deps.deliveries.get(ref);
    if (!record) throw new NotFoundError(`No delivery ${deliveryId} for subscription ${id}`);
    if (record.delivery.status === 'pending') return record.delivery;
    if (record.delivery.status === 'delivered' && record.delivery.kind === 'subscription.confirm') {
      throw new ConflictError('This confirmation was already delivered');
    }
    const now = this.clock();
    const updated = await this.deps.deliveries.recordAttempt(
      record.delivery,
      record.attemptCount,
      undefined,
      { status: 'pending', dueAt: now.toISOString(), scheduleStart: record.delivery.attempts.length },
      now,
    );
    await this.deps.queue.enqueue([ref]);
    return updated;
  }

  /** Saves the subscription with `changes` as its next version (PreconditionFailedError if it moved on). */
  private async saveChanged(current: Subscription, changes: Partial<Subscription>): Promise<Subscription> {
    const next: Subscription = {
      ...current,
      ...changes,
      updatedAt: this.clock().toISOString(),
      version: current.version + 1,
    };
    await this.deps.subscriptions.save(current, next);
    return next;
  }

  /**
   * Refuses a webhook URL Dateline must not send to, or whose host does not resolve (any lookup
   * failure, a lookup that times out included), with UnsafeTargetError naming `body.url`: a target
   * the caller chose, not a fault of ours. Anything else the resolver throws propagates.
   */
  private async assertSafeTarget(url: string): Promise<void> {
    try {
      await assertSafeWebhookUrl(url, {
        allowLoopback: this.deps.deliver.allowLoopbackWebhooks,
        resolve: this.deps.deliver.resolve,
        ...(this.deps.resolveTimeoutMs ? { resolveTimeoutMs: this.deps.resolveTimeoutMs } : {}),
      });
    } catch (error) {
      let message: string;
      if (error instanceof UnsafeTargetError) message = error.message;
      else if (isResolutionFailure(error)) {
        const host = new URL(url).hostname;
        message =
          error.code === 'ETIMEOUT'
            ? `Webhook URL host "${host}" did not resolve in time`
            : `Webhook URL host "${host}" does not resolve (${error.code})`;
      } else throw error;
      throw new UnsafeTargetError(message, [{ path: 'body.url', message }], { cause: error });
    }
  }

  private async record(subscription: Subscription, kind: DeliveryKind, body: string, dueAt?: string) {
    const at = this.clock().toISOString();
    const delivery: Delivery = {
      id: newId(),
      subscriptionId: subscription.id,
      channel: subscription.channel,
      kind,
      body,
      status: 'pending',
      attempts: [],
      scheduleStart: 0,
      createdAt: at,
      updatedAt: at,
    };
    await this.deps.deliveries.record(delivery, dueAt ?? at);
    return { subscriptionId: subscription.id, deliveryId: delivery.id };
  }

  private async recordAndEnqueue(
    subscription: Subscription,
    kind: DeliveryKind,
    body: string,
  ): Promise<void> {
    await this.deps.queue.enqueue([await this.record(subscription, kind, body)]);
  }
}
