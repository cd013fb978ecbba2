import type { Context, MiddlewareHandler } from 'hono';
import { type ApiKeyStore, hasScope, type Principal, type Scope, scopes } from '../auth/api-keys.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { AppEnv } from './context.ts';

/** The bearer token of a request, if it sent one. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Resolves the API key of a request, or undefined when it sent none or an unknown one. */
export async function resolvePrincipal(c: Context, apiKeys: ApiKeyStore): Promise<Principal | undefined> {
  const token = bearerToken(c);
  return token ? apiKeys.verify(token) : undefined;
}

/** Middleware factory: the request must carry an API key with `scope` (401 without a key, 403 without the scope). */
export function requireScope(apiKeys: ApiKeyStore, scope: Scope): MiddlewareHandler<AppEnv> {
  if (!scopes.includes(scope)) throw new Error(`unknown scope ${scope}`);
  return async function requireScopeMiddleware(c, next) {
    if (!bearerToken(c))
      throw new UnauthorizedError('This request needs an API key: send Authorization: Bearer <key>');
    const principal = await resolvePrincipal(c, apiKeys);
    if (!principal) throw new UnauthorizedError('The API key is not valid');
    if (!hasScope(principal, scope)) throw new ForbiddenError(`The API key lacks the ${scope} scope`);
    c.set('principal', principal);
    await next();
  };
}
