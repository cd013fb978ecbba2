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

/**
 * The API key a bearer token stands for, if it has `scope`: UnauthorizedError when the token is
 * missing or no valid key, ForbiddenError when the key lacks the scope.
 */
export async function principalWithScope(
  apiKeys: ApiKeyStore,
  token: string | undefined,
  scope: Scope,
): Promise<Principal> {
  if (!token) throw new UnauthorizedError('This request needs an API key: send Authorization: Bearer <key>');
  const principal = await apiKeys.verify(token);
  if (!principal) throw new UnauthorizedError('The API key is not valid');
  if (!hasScope(principal, scope)) throw new ForbiddenError(`The API key lacks the ${scope} scope`);
  return principal;
}

/** Middleware factory: the request must carry an API key with `scope` (401 without a key, 403 without the scope). */
export function requireScope(apiKeys: ApiKeyStore, scope: Scope): MiddlewareHandler<AppEnv> {
  if (!scopes.includes(scope)) throw new Error(`unknown scope ${scope}`);
  return async function requireScopeMiddleware(c, next) {
    c.set('principal', await principalWithScope(apiKeys, bearerToken(c), scope));
    await next();
  };
}
