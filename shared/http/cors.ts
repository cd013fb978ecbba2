/**
 * The API's CORS policy, one for both runtimes: the stack gives it to API Gateway
 * (infra/constructs/api.ts `corsFor`), the local runtime's app answers it itself. No origins
 * means the public timeline is readable from any origin, GET only; listed origins may use every
 * method. A page on another origin may revalidate what it read (If-None-Match,
 * If-Modified-Since) and read what the answers carry for it: the ETag and Last-Modified, the Link
 * to the next page of an export, Retry-After when it is throttled.
 */
export function corsPolicy(origins: string[]) {
  const maxAgeSeconds = 3600;
  const readable = ['etag', 'last-modified', 'link', 'retry-after'];
  if (origins.length === 0) {
    return {
      origins: ['*'],
      methods: ['GET', 'HEAD', 'OPTIONS'],
      allowHeaders: ['content-type', 'if-modified-since', 'if-none-match'],
      exposeHeaders: readable,
      maxAgeSeconds,
    };
  }
  return {
    origins,
    methods: ['*'],
    allowHeaders: [
      'authorization',
      'content-type',
      'if-match',
      'if-modified-since',
      'if-none-match',
      'idempotency-key',
    ],
    exposeHeaders: [...readable, 'location'],
    maxAgeSeconds,
  };
}
