import { resolve } from 'node:path';
import { defaultRetrySchedule, parseRetrySchedule } from '../delivery/retry-schedule.ts';
import { isLogLevel, type LogLevel } from '../platform/logger.ts';
import { StartupError } from './startup-error.ts';

/** The shape of an API key (`dl_<key id>_<secret>`), as ApiKeyStore accepts it. */
const API_KEY_FORMAT = /^dl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/;

/** The local runtime's settings, read from the environment once. */
export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  /** DATELINE_PUBLIC_URL; when unset, links use http://localhost:<the port the server got> (PORT may be 0). */
  publicUrl?: string;
  adminKey?: string;
  smtpUrl?: string;
  mailFrom: string;
  allowLoopbackWebhooks: boolean;
  retrySchedule: readonly number[];
  /** How long a webhook attempt may take before it counts as failed (default: the sender's 15 s). */
  webhookTimeoutMs?: number;
  seed: boolean;
  logLevel: LogLevel;
}

/** The data dir: DATELINE_DATA_DIR, else `.data` in the working directory (an absolute path). */
export function dataDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DATELINE_DATA_DIR || '.data');
}

/** Reads the settings; a bad one is a StartupError that names the variable. */
export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartupError(`PORT must be a port number, got "${env.PORT}"`);
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel))
    throw new StartupError(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  // The key itself is not echoed: it is a secret, and a near miss is still close to one.
  if (env.DATELINE_ADMIN_KEY && !API_KEY_FORMAT.test(env.DATELINE_ADMIN_KEY))
    throw new StartupError(
      'DATELINE_ADMIN_KEY is not a Dateline key (dl_<12 lowercase letters or digits>_<43 base64url characters>); `npm run keys -- generate` prints a fresh one',
    );
  let retrySchedule: readonly number[] = defaultRetrySchedule;
  if (env.DATELINE_RETRY_SCHEDULE) {
    try {
      retrySchedule = parseRetrySchedule(env.DATELINE_RETRY_SCHEDULE);
    } catch (error) {
      throw new StartupError((error as Error).message);
    }
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    dataDir: dataDirFrom(env),
    ...(env.DATELINE_PUBLIC_URL ? { publicUrl: env.DATELINE_PUBLIC_URL.replace(/\/$/, '') } : {}),
    ...(env.DATELINE_ADMIN_KEY ? { adminKey: env.DATELINE_ADMIN_KEY } : {}),
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    mailFrom: env.DATELINE_MAIL_FROM || 'Dateline <alerts@localhost>',
    allowLoopbackWebhooks: env.DATELINE_ALLOW_LOOPBACK_WEBHOOKS === '1',
    retrySchedule,
    seed: env.DATELINE_SEED !== '0',
    logLevel,
  };
}
