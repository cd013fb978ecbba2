import type { Context, Handler, Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import type { SchemaRef } from './schema-meta.ts';
import { validationErrorFrom } from './validation.ts';

/** The parts of a request a route validates, each with its schema (built on the route's first request). */
export interface RequestSchemas {
  params?: SchemaRef;
  query?: SchemaRef;
  headers?: SchemaRef;
  /** A required JSON body; `bodyTypes` are the media types it may come as (default application/json). */
  body?: SchemaRef;
}

/** What the handler gets: each validated part, typed by its schema's output. */
export type Validated<S extends RequestSchemas> = {
  [K in keyof S]: S[K] extends SchemaRef<infer T> ? z.output<T> : never;
};

export interface ResponseSpec {
  description: string;
  /** Headers the response carries, by name, each with what it says. */
  headers?: Record<string, string>;
  /** Only the OpenAPI document builds these. */
  content?: Record<string, { schema: SchemaRef }>;
}

/** A route as the OpenAPI document describes it. */
export interface RouteSpec<S extends RequestSchemas = RequestSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/v1/events/{id}`. */
  path: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  /** Run before validation (for example the API key check): no access, no look at the input. */
  middleware?: MiddlewareHandler<AppEnv>[];
  request?: S;
  bodyTypes?: string[];
  /**
   * Headers the document marks required that validation lets through, because the handler answers
   * their absence itself with a status of its own (PATCH without If-Match is 428, not 400).
   */
  requiredHeaders?: string[];
  responses: Record<number, ResponseSpec>;
}

export type RouteHandler<S extends RequestSchemas> = (
  c: Context<AppEnv>,
  input: Validated<S>,
) => Response | Promise<Response>;

/** A route as the app's route table names it: `GET /v1/events/{id}` (the method, then the OpenAPI path). */
export type RouteKey = `${Uppercase<RouteSpec['method']>} /${string}`;

export function routeKey(spec: Pick<RouteSpec, 'method' | 'path'>): RouteKey {
  return `${spec.method.toUpperCase() as Uppercase<RouteSpec['method']>} ${spec.path}` as RouteKey;
}

/** An OpenAPI path (`/v1/events/{id}`) as Hono routes it (`/v1/events/:id`). */
export function honoPath(path: string): string {
  return path.replaceAll(/\/{(.+?)}/g, '/:$1');
}

/**
 * Collects routes: each one's spec for the OpenAPI document and its handler (access middleware,
 * then validation, then the handler), by route key. Given a Hono app, it also routes them there;
 * the API's app instead routes its groups before their code loads (route-groups.ts).
 */
export class ApiRoutes {
  readonly specs: RouteSpec[] = [];
  readonly #handlers = new Map<RouteKey, Handler<AppEnv>>();

  constructor(private readonly app?: Hono<AppEnv>) {}

  route<S extends RequestSchemas = Record<never, never>>(spec: RouteSpec<S>, handler: RouteHandler<S>): void {
    this.specs.push(spec as RouteSpec);
    const request = spec.request;
    let validate: Validator | undefined;
    const handle: Handler<AppEnv> = request
      ? async (c) => {
          validate ??= validator(request, spec.bodyTypes ?? ['application/json']);
          return handler(c, (await validate(c)) as Validated<S>);
        }
      : (c) => handler(c, {} as Validated<S>);
    const routed = spec.middleware?.length ? behind(spec.middleware, handle) : handle;
    this.#handlers.set(routeKey(spec), routed);
    if (this.app) mount(this.app, routeKey(spec), routed);
  }

  /** The routes collected, in the order they were declared. */
  keys(): RouteKey[] {
    return [...this.#handlers.keys()];
  }

  handler(key: RouteKey): Handler<AppEnv> | undefined {
    return this.#handlers.get(key);
  }
}

/** Routes one route key to a handler on a Hono app. */
export function mount(app: Hono<AppEnv>, key: RouteKey, handler: Handler<AppEnv>): void {
  const [method, path] = key.split(' ') as [string, string];
  (app.on as (method: string, path: string, handler: Handler<AppEnv>) => void)(
    method,
    honoPath(path),
    handler,
  );
}

/**
 * The handler behind its access middleware, as one handler: each middleware in turn either
 * throws, answers (returns a response) or calls next; the last one's next runs the handler.
 */
function behind(middleware: MiddlewareHandler<AppEnv>[], handle: Handler<AppEnv>): Handler<AppEnv> {
  return async (c, next) => {
    let answer: Response | undefined;
    const step = async (index: number): Promise<void> => {
      const gate = middleware[index];
      if (!gate) {
        answer = (await handle(c, next)) as Response;
        return;
      }
      const early = await gate(c, () => step(index + 1));
      if (early instanceof Response) answer ??= early;
    };
    await step(0);
    if (!answer) throw new Error(`no answer from the middleware of ${c.req.method} ${c.req.path}`);
    return answer;
  };
}

function parse(schema: z.ZodMiniType, value: unknown, where: 'body' | 'query' | 'params' | 'headers') {
  const result = schema.safeParse(value);
  if (!result.success) throw validationErrorFrom(result.error, where);
  return result.data;
}

type Validator = (c: Context<AppEnv>) => Promise<Record<string, unknown>>;

/**
 * Validates query, params, headers and then the body, in that order; the first failure is thrown.
 * Building it builds the route's request schemas.
 */
function validator(request: RequestSchemas, bodyTypes: string[]): Validator {
  const query = request.query?.();
  const params = request.params?.();
  const headers = request.headers?.();
  const body = request.body?.();
  return async (c) => {
    const valid: Record<string, unknown> = {};
    if (query) valid.query = parseQuery(query, readQuery(c));
    if (params) valid.params = parse(params, c.req.param(), 'params');
    // Header names arrive lower-cased; the schemas name them in lower case.
    if (headers) valid.headers = parse(headers, c.req.header(), 'headers');
    if (body) valid.body = parse(body, await readJsonBody(c, bodyTypes), 'body');
    return valid;
  };
}

/**
 * Each query parameter once as a string, a repeated one as an array of its values. A query with
 * invalid percent-encoding (`%zz`, `%E0%A4`) is refused rather than read with the escapes left in.
 */
export function readQuery(c: Context): Record<string, string | string[]> {
  const url = c.req.url;
  const start = url.indexOf('?');
  if (start !== -1 && url.includes('%', start)) assertPercentEncoding(url.slice(start + 1));
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    query[name] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

function assertPercentEncoding(search: string): void {
  for (const pair of search.split('&')) {
    if (!pair.includes('%')) continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = decodeQueryPart(rawName);
    if (name === undefined || (equals !== -1 && decodeQueryPart(pair.slice(equals + 1)) === undefined)) {
      const message = 'is not valid percent-encoding: each % must begin a %XX escape of UTF-8';
      throw new ValidationError(`query.${name ?? rawName}: ${message}`, [
        { path: `query.${name ?? rawName}`, message },
      ]);
    }
  }
}

function decodeQueryPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * Validates the query; a parameter that takes one value but came several times is reported as
 * such, not as the type mismatch its array of values makes.
 */
export function parseQuery(schema: z.ZodMiniType, query: Record<string, string | string[]>) {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const value = issue.path.length === 1 ? query[String(issue.path[0])] : undefined;
    return Array.isArray(value)
      ? { ...issue, message: `must be given once, not ${value.length} times` }
      : issue;
  });
  throw validationErrorFrom({ issues }, 'query');
}

// The API's content-type rules: a gate on the declared media types, then Hono's test for a JSON body.
const jsonRequest = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;
const isJsonType = (mediaType: string) => /^application\/([a-z-.]+\+)?json/i.test(mediaType);

function matchesMediaType(contentType: string, mediaType: string): boolean {
  if (isJsonType(mediaType)) return jsonRequest.test(contentType);
  return contentType.split(';')[0]!.trim().toLowerCase() === mediaType.toLowerCase();
}

/**
 * The JSON body: a content type other than the route's → 415; no content type but a body → 415;
 * no JSON content type (and no body) → `{}`, so the schema reports what is missing; malformed → 400.
 */
async function readJsonBody(c: Context, bodyTypes: string[]): Promise<unknown> {
  const contentType = c.req.header('content-type');
  if (contentType) {
    if (!bodyTypes.some((mediaType) => matchesMediaType(contentType, mediaType))) {
      throw new HTTPException(415, { message: 'Unsupported Media Type' });
    }
  } else if (await hasRequestBody(c)) {
    throw new HTTPException(415, { message: 'Unsupported Media Type' });
  }
  if (!contentType || !jsonMediaType.test(contentType.split(';')[0]!.trim().toLowerCase())) return {};
  try {
    return await c.req.json();
  } catch {
    throw new HTTPException(400, { message: 'Malformed JSON in request body' });
  }
}

/**
 * The request's JSON body, parsed, for middleware that must look at it before validation (which
 * of a route's kinds of request it is); undefined when the body is not JSON. Validation later
 * reads the same body again and reports what is wrong with it.
 */
export async function peekJsonBody(c: Context): Promise<unknown> {
  const contentType = c.req.header('content-type');
  if (!contentType || !jsonMediaType.test(contentType.split(';')[0]!.trim().toLowerCase())) return undefined;
  try {
    return await c.req.json();
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function hasRequestBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const body = raw.clone().body;
  if (body === null) return false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
