/**
 * /docs is Swagger UI, served by the app from the installed swagger-ui-dist under a CSP that allows
 * only the app itself; the document it renders has an example for every operation, taken from the
 * seed timeline, and each request example is one the API accepts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../shared/seed/load-seed.ts';
import { type AlertStack, startAlertStack } from '../support/alert-stack.ts';
import { type JsonSchema, satisfies } from '../support/json-schema-check.ts';

let stack: AlertStack;
let document: OpenApi;

interface Content {
  schema: JsonSchema & { $ref?: string };
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  parameters?: { name: string; in: string; example?: unknown; schema: JsonSchema }[];
  requestBody?: { content: Record<string, Content> };
  responses: Record<string, { content?: Record<string, Content>; $ref?: string }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema & { example?: unknown }>;
    securitySchemes: Record<string, unknown>;
  };
  info: { description: string };
}

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

beforeAll(async () => {
  stack = await startAlertStack();
  document = (await (await stack.app.request('/openapi.json')).json()) as OpenApi;
});
afterAll(async () => {
  await stack.close();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

/** An example of this content: its own, or its schema's. */
const exampleOf = (content: Content) =>
  content.example ??
  Object.values(content.examples ?? {})[0]?.value ??
  (content.schema.$ref
    ? document.components.schemas[content.schema.$ref.split('/').pop()!]?.example
    : undefined);

describe('/docs', () => {
  it('is Swagger UI from the app itself: no inline script, a CSP that allows nothing from elsewhere', async () => {
    const response = await stack.app.request('/docs');
    expect(response.status).toBe(200);
    const html = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    // Nothing from elsewhere; Try it out may call the API's public origin (http://dateline.test here).
    const elsewhere = csp.split('; ').filter((directive) => /https?:/.test(directive));
    expect(elsewhere).toEqual(["connect-src 'self' http://dateline.test"]);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, attributes]) => attributes?.trim())).toEqual([
      'src="/docs/assets/swagger-ui-bundle.js"',
      'src="/docs/assets/docs-init.js"',
    ]);
    expect(scripts.every(([, , body]) => body === '')).toBe(true);
    // The site's icon (shared/web), so Chromium asks for no /favicon.ico of its own.
    expect(html).toContain('<link rel="icon" type="image/svg+xml" href="/favicon.ico">');
    expect((await stack.app.request('/favicon.ico')).headers.get('content-type')).toBe('image/svg+xml');
    expect(html).toContain('data-spec="/openapi.json"');
  });

  it('serves swagger-ui-dist files as installed, gzipped when asked, and its init script', async () => {
    const installed = await readFile(join(swaggerUiDir, 'swagger-ui-bundle.js'));
    const plain = await stack.app.request('/docs/assets/swagger-ui-bundle.js');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(Buffer.from(await plain.arrayBuffer()).equals(installed)).toBe(true);

    const gzipped = await stack.app.request('/docs/assets/swagger-ui-bundle.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).equals(installed)).toBe(true);
    const etag = gzipped.headers.get('etag')!;
    expect(
      (await stack.app.request('/docs/assets/swagger-ui-bundle.js', { headers: { 'if-none-match': etag } }))
        .status,
    ).toBe(304);

    const css = await stack.app.request('/docs/assets/swagger-ui.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const init = await (await stack.app.request('/docs/assets/docs-init.js')).text();
    expect(init).toContain('SwaggerUIBundle(');
    expect(init).toContain('validatorUrl: null');
  });

  it('answers an asset it does not have with 404 problem+json, not a file from elsewhere in the package', async () => {
    for (const name of [
      'index.html',
      'package.json',
      '..%2F..%2Fpackage.json',
      'swagger-ui.js.map',
      'favicon-32x32.png',
    ]) {
      const response = await stack.app.request(`/docs/assets/${name}`);
      expect(response.status, name).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('the examples of the OpenAPI document', () => {
  it('give every request body and every response with a body an example', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operations()) {
      for (const [type, content] of Object.entries(operation.requestBody?.content ?? {})) {
        if (exampleOf(content) === undefined) missing.push(`${method} ${path} request ${type}`);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, content] of Object.entries(response.content ?? {})) {
          if (type.startsWith('text/') || type.includes('xml') || type.includes('calendar')) continue;
          if (exampleOf(content) === undefined) missing.push(`${method} ${path} ${status} ${type}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('each satisfy the schema they illustrate', () => {
    const wrong: string[] = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      if (schema.example !== undefined && !satisfies(document, schema, schema.example)) wrong.push(name);
    }
    for (const { path, method, operation } of operations()) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.example !== undefined && !satisfies(document, parameter.schema, parameter.example))
          wrong.push(`${method} ${path} ${parameter.name}`);
      }
      const contents = [
        ...Object.entries(operation.requestBody?.content ?? {}).map(
          ([type, content]) => [`request ${type}`, content] as const,
        ),
        ...Object.entries(operation.responses).flatMap(([status, response]) =>
          Object.entries(response.content ?? {}).map(
            ([type, content]) => [`${status} ${type}`, content] as const,
          ),
        ),
      ];
      for (const [where, content] of contents) {
        const values = [content.example, ...Object.values(content.examples ?? {}).map(({ value }) => value)];
        for (const value of values.filter((one) => one !== undefined)) {
          if (!satisfies(document, content.schema, value)) wrong.push(`${method} ${path} ${where}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('are the seed timeline: the event to create is one of its events', () => {
    const post = document.paths['/v1/events']!.post!.requestBody!.content['application/json']!;
    const titles = Object.values(post.examples!).map(({ value }) => (value as { title: string }).title);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(seedEvents.map((event) => event.title)).toContain(title);
    const page = document.paths['/v1/events']!.get!.responses['200']!.content!['application/json']!;
    const items = (exampleOf(page) as { items: { title: string }[] }).items;
    expect(items.map((item) => item.title).every((title) => seedEvents.some((e) => e.title === title))).toBe(
      true,
    );
  });

  it('are accepted as they are written: each example body of POST /v1/events and POST /v1/subscriptions', async () => {
    const examples = (path: string) =>
      Object.values(document.paths[path]!.post!.requestBody!.content['application/json']!.examples!);
    for (const { value } of examples('/v1/events')) {
      const response = await stack.app.request('/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      expect(response.status, await response.clone().text()).toBe(201);
    }
    for (const { value } of examples('/v1/subscriptions')) {
      const response = await stack.app.request('/v1/subscriptions', {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      expect([201, 202], await response.clone().text()).toContain(response.status);
    }
  });

  it('name the origin they were asked from as the first server, then the public URL', async () => {
    const { servers } = (await (await stack.app.request('http://127.0.0.1:3000/openapi.json')).json()) as {
      servers: { url: string }[];
    };
    expect(servers).toEqual([{ url: 'http://127.0.0.1:3000' }, { url: 'http://dateline.test' }]);
  });

  it('explain authentication: API keys with their scopes, and the subscription token', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['bearer', 'subscriptionToken']);
    expect(document.info.description).toMatch(/## Authentication/);
    expect(document.info.description).toMatch(/events:write/);
    expect(document.info.description).toMatch(/dls_/);
  });
});
