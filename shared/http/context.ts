import type { ApiKeyStore, Principal } from '../auth/api-keys.ts';
import type { Subscription } from '../domain/subscription.ts';
import type { EventService } from '../events/event-service.ts';
import type { Logger } from '../platform/logger.ts';
import type { SubscriptionRoutesDeps } from './subscription-routes.ts';

/** Everything the HTTP app needs, built by the runtime (Lambda or local) and handed in. */
export interface AppDeps {
  events: EventService;
  apiKeys: ApiKeyStore;
  /** The key that signs cursors and tokens; read once per process and cached by the runtime. */
  tokenKey: () => Promise<Uint8Array>;
  logger: Logger;
  /** Base URL for links; when unset, derived from the request. */
  publicUrl?: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** The alerts half; absent in apps that serve only the timeline. */
  subscriptions?: SubscriptionRoutesDeps;
}

export type AppEnv = {
  Variables: {
    principal?: Principal;
    /** The subscription a management token opened (see the subscription routes' access check). */
    subscription?: Subscription;
    requestId: string;
  };
};
