import { z } from '@hono/zod-openapi';
import { eventKinds, normaliseActorQuery, normaliseKey } from '../domain/event.ts';
import { alertTypes } from '../domain/subscription.ts';

export const SubscriptionFilterSchema = z
  .strictObject({
    kinds: z.array(z.enum(eventKinds)).max(20).default([]),
    actors: z
      .array(z.string().trim().min(1).max(200))
      .max(20)
      .default([])
      .transform((actors) => [...new Set(actors.map(normaliseActorQuery))]),
    tags: z
      .array(z.string().trim().min(1).max(50))
      .max(20)
      .default([])
      .transform((tags) => [...new Set(tags.map(normaliseKey))]),
  })
  .openapi('SubscriptionFilter', {
    description:
      'Every named dimension must match (kinds OR, actors OR, tags OR). An empty filter matches every event.',
    example: { kinds: ['missile-launch', 'missile-finding'], actors: ['KP'] },
  });

const emptyFilter = { kinds: [], actors: [], tags: [] };
const TypesSchema = z
  .array(z.enum(alertTypes))
  .min(1)
  .max(alertTypes.length)
  .default(['event.created'])
  .transform((types) => [...new Set(types)])
  .openapi({ description: 'Which changes to be told about (default: event.created only)' });

const webhookUrl = z
  .string()
  .max(2000)
  .refine((value) => URL.canParse(value), { message: 'must be an absolute URL' })
  .openapi({ example: 'https://hooks.example.org/dateline' });

export const CreateSubscriptionSchema = z
  .discriminatedUnion('channel', [
    z.strictObject({
      channel: z.literal('email'),
      address: z.email().max(254),
      filter: SubscriptionFilterSchema.default(emptyFilter),
      types: TypesSchema,
    }),
    z.strictObject({
      channel: z.literal('webhook'),
      url: webhookUrl,
      contactEmail: z
        .email()
        .max(254)
        .optional()
        .openapi({ description: 'Told if the webhook is disabled after failing for days' }),
      filter: SubscriptionFilterSchema.default(emptyFilter),
      types: TypesSchema,
    }),
  ])
  .openapi('CreateSubscription');

export const UpdateSubscriptionSchema = z
  .strictObject({
    filter: SubscriptionFilterSchema.optional(),
    types: TypesSchema.optional(),
    url: webhookUrl.optional(),
    contactEmail: z.email().max(254).nullable().optional(),
    status: z.literal('active').optional().openapi({ description: 'Re-enable a disabled subscription' }),
  })
  .openapi('UpdateSubscription');

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    channel: z.enum(['email', 'webhook']),
    address: z.string().optional(),
    url: z.string().optional(),
    contactEmail: z.string().optional(),
    filter: z.object({ kinds: z.array(z.string()), actors: z.array(z.string()), tags: z.array(z.string()) }),
    types: z.array(z.enum(alertTypes)),
    status: z.enum(['pending', 'active', 'disabled', 'unsubscribed']),
    statusReason: z.string().optional(),
    failingSince: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Subscription');

export const CreatedWebhookSchema = SubscriptionSchema.extend({
  secret: z.string().openapi({ description: 'Signing secret (whsec_…); shown only now' }),
  token: z.string().openapi({ description: 'Management token for this subscription; shown only now' }),
}).openapi('CreatedWebhookSubscription');

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id header, stable across retries' }),
    kind: z.string(),
    eventId: z.string().optional(),
    status: z.enum(['pending', 'delivered', 'dead', 'gone', 'skipped']),
    attempts: z.array(
      z.object({
        at: z.string(),
        status: z.number().optional(),
        error: z.string().optional(),
        latencyMs: z.number(),
      }),
    ),
    nextAttemptAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Delivery');

export const SubscriptionIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'is not a subscription id' })
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const DeliveryParams = SubscriptionIdParams.extend({
  deliveryId: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'is not a delivery id' })
    .openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

export const TokenQuery = z.object({ token: z.string().min(1).max(500) });
