/**
 * A small structured logger: one JSON object per line, no dependencies.
 *
 * Personal data and credentials never reach the logs: values under keys that name a secret,
 * token, credential, key, email address, postal/IP address or URL are replaced, and email
 * addresses and bearer tokens are scrubbed from every string (error messages from mail and
 * HTTP clients quote them).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. requestId for one invocation). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Receives each line without its newline. */
  write?: (line: string) => void;
  now?: () => Date;
}

export const REDACTED = '[redacted]';

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED_KEYS = new Set(['level', 'message', 'timestamp', 'service']);
const MAX_DEPTH = 6;

// Matched against field names, case-insensitively. `(^|[a-z_-])…$` keeps `url`, `webhookUrl`
// and `apiKey` but not ids such as `requestId`, `changeId` or `deliveryId`.
const SENSITIVE_KEY =
  /secret|token|authori[sz]ation|passw(?:or)?d|passphrase|credential|cookie|signature|e-?mail|address|(?:^|[a-z_-])(?:url|uri|key)s?$/i;
const EMAIL_IN_TEXT = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[a-z]{2,}/gi;
const BEARER_IN_TEXT = /\bBearer\s+[^\s"',;]+/gi;
const WEBHOOK_SECRET_IN_TEXT = /\bwhsec_[A-Za-z0-9+/=]+/g;
// Confirmation and unsubscribe links carry their token in the query string.
const TOKEN_IN_QUERY = /([?&](?:token|secret|signature|key)=)[^&\s#"']+/gi;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(SEVERITY, value);
}

/** Writes straight to stdout: the Lambda runtime prefixes `console.*` output, which would break the one-JSON-object-per-line shape. */
function writeToStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = SEVERITY[options.level ?? 'info'];
  const write = options.write ?? writeToStdout;
  const now = options.now ?? (() => new Date());
  const withStacks = threshold <= SEVERITY.debug;

  const build = (bindings: LogFields): Logger => {
    const log = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (SEVERITY[level] < threshold) return;
      const line: LogFields = {
        level,
        message: scrubText(message),
        timestamp: now().toISOString(),
        service: options.service,
      };
      // Bindings first, so a field of the same name overrides its binding.
      for (const source of fields ? [bindings, fields] : [bindings]) {
        for (const key in source) {
          const value = source[key];
          if (value === undefined || RESERVED_KEYS.has(key)) continue;
          line[key] = sanitise(key, value, withStacks, 0, undefined);
        }
      }
      write(JSON.stringify(line));
    };
    return {
      debug: (message, fields) => log('debug', message, fields),
      info: (message, fields) => log('info', message, fields),
      warn: (message, fields) => log('warn', message, fields),
      error: (message, fields) => log('error', message, fields),
      child: (fields) => build({ ...bindings, ...fields }),
    };
  };
  return build({});
}

// Every pattern above needs one of these; most log strings (ids, paths, methods) have none.
const MAY_NEED_SCRUBBING = /[@=]|bearer|whsec_/i;

function scrubText(text: string): string {
  if (!MAY_NEED_SCRUBBING.test(text)) return text;
  return text
    .replace(EMAIL_IN_TEXT, REDACTED)
    .replace(BEARER_IN_TEXT, `Bearer ${REDACTED}`)
    .replace(WEBHOOK_SECRET_IN_TEXT, REDACTED)
    .replace(TOKEN_IN_QUERY, `$1${REDACTED}`);
}

// Log lines repeat the same few field names: remember which ones are sensitive.
const sensitiveKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 1000;

function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEY.test(key);
    if (sensitiveKeys.size >= MAX_REMEMBERED_KEYS) sensitiveKeys.clear();
    sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

/** `seen`: the objects already visited within one field's value (created at its first object), to cut cycles. */
function sanitise(
  key: string,
  value: unknown,
  withStacks: boolean,
  depth: number,
  seen: WeakSet<object> | undefined,
): unknown {
  if (value !== null && value !== undefined && isSensitiveKey(key)) return REDACTED;
  return sanitiseValue(value, withStacks, depth, seen);
}

function sanitiseValue(
  value: unknown,
  withStacks: boolean,
  depth: number,
  seen: WeakSet<object> = new WeakSet(),
): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) return serialiseError(value, withStacks, depth, seen);
  if (Array.isArray(value)) return value.map((item) => sanitiseValue(item, withStacks, depth + 1, seen));
  const out: LogFields = {};
  for (const [childKey, childValue] of Object.entries(value)) {
    out[childKey] = sanitise(childKey, childValue, withStacks, depth + 1, seen);
  }
  return out;
}

// Errors carry their useful data in non-enumerable properties, so JSON.stringify would print `{}`.
function serialiseError(error: Error, withStacks: boolean, depth: number, seen: WeakSet<object>): LogFields {
  const out: LogFields = { name: error.name, message: scrubText(error.message) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (withStacks && error.stack) out.stack = scrubText(error.stack);
  if (error.cause !== undefined) out.cause = sanitiseValue(error.cause, withStacks, depth + 1, seen);
  return out;
}
