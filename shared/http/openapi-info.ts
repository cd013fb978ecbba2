/**
 * What the OpenAPI document says about the API as a whole: its description (rendered at the top
 * of /docs), how to authenticate, and the answers no single operation gives.
 */

const description = `A timeline of dated events in international affairs, with alerts by email and signed webhooks.
Reading the timeline is open to anyone; writing needs a key. The examples are the seed timeline that
a fresh \`npm start\` loads (their ids are made up: list the timeline for real ones).

## Authentication

Send a credential as a bearer token: \`Authorization: Bearer …\` (the **Authorize** button takes it).

- **API key** (\`dl_<keyId>_<secret>\`, scheme \`bearer\`), with scopes: \`events:write\` to create, change and
  delete events; \`subscriptions:write\` to create webhook subscriptions; \`admin\` for everything, any
  subscription and \`POST /v1/keys\`. Make one with \`npm run keys -- create --scopes events:write\`, or
  with an admin key through \`POST /v1/keys\`. A key is shown once; only its hash is stored.
- **Subscription token** (\`dls_…\`, scheme \`subscriptionToken\`): returned once when a webhook subscription
  is created; it reads and manages that subscription only (an admin key manages any).
- Email subscriptions need no credential: the address confirms by the link in its first mail.

Credentials are checked before the input: without them the answer is 401 and names no field.

## Requests

JSON bodies (\`application/json\`; a merge patch may say \`application/merge-patch+json\`) of at most
64 KiB. Writes to one event take its \`ETag\` (\`"v3"\`): \`PATCH\` requires \`If-Match\` (428 without it,
412 when stale); \`GET\` answers \`If-None-Match\` with 304. \`POST /v1/events\` with an \`Idempotency-Key\`
replays the first answer to a repeat of the same body.

## Errors

Every error is \`application/problem+json\` (RFC 9457) with \`type\`, \`title\`, \`status\`, \`detail\` and, for
invalid input, \`errors: [{path, message}]\`. Besides each operation's own: 400 (invalid or malformed
input), 405 with \`Allow\` (a method the path has no operation for; \`OPTIONS\` answers 204 with \`Allow\`),
408 and 431 (a request the server could not read in time or whose headers are too large), 413 (body
too large), 415 (another content type), 500 (unexpected; logged, no details), 501 (a method the server
does not know), 503 (the local runtime still starting).`;

export const documentInfo = {
  title: 'Dateline API',
  version: '1.0.0',
  description,
};

export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'dl_<keyId>_<secret>',
    description:
      'An API key. Scopes: events:write (events), subscriptions:write (webhook subscriptions), admin (everything).',
  },
  subscriptionToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'dls_…',
    description: "A subscription's management token, returned once when the webhook subscription is made.",
  },
};
