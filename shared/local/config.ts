import { resolve } from 'node:path';
import { defaultRetrySchedule, parseRetrySchedule } from '../delivery/retry-schedule.ts';
import { isLogLevel, type LogLevel } from '../platform/logger.ts';

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

export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel))
    throw new Error(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.DATELINE_DATA_DIR || '.data'),
    ...(env.DATELINE_PUBLIC_URL ? { publicUrl: env.DATELINE_PUBLIC_URL.replace(/\/$/, '') } : {}),
    ...(env.DATELINE_ADMIN_KEY ? { adminKey: env.DATELINE_ADMIN_KEY } : {}),
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    mailFrom: env.DATELINE_MAIL_FROM || 'Dateline <alerts@localhost>',
    allowLoopbackWebhooks: env.DATELINE_ALLOW_LOOPBACK_WEBHOOKS === '1',
    retrySchedule: env.DATELINE_RETRY_SCHEDULE
      ? parseRetrySchedule(env.DATELINE_RETRY_SCHEDULE)
      : defaultRetrySchedule,
    seed: env.DATELINE_SEED !== '0',
    logLevel,
  };
}
