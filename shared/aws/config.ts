import { defaultRetrySchedule, parseRetrySchedule } from '../delivery/retry-schedule.ts';
import { isLogLevel, type LogLevel } from '../platform/logger.ts';

/** Settings of the Lambda functions, read from the environment once; a missing one fails naming it. */
export interface AwsConfig {
  tableName: string;
  queueUrl?: string;
  tokenSecretArn?: string;
  mailFrom?: string;
  publicUrl?: string;
  metricsNamespace: string;
  logLevel: LogLevel;
  retrySchedule: readonly number[];
  /**
   * DATELINE_ALLOW_LOOPBACK_WEBHOOKS=1: webhook targets on loopback (plain http allowed there).
   * For tests of the AWS wiring on one machine only; the stack never sets it, so a deployment
   * refuses loopback targets (tests/infra asserts no function carries it).
   */
  allowLoopbackWebhooks: boolean;
  /** How old a change or overdue delivery must be before the sweeper takes it as missed (default 10 min). */
  sweepGraceSeconds: number;
  /** FANOUT_PAGE_SIZE: index items fan-out reads per page (default: the walk's own, 500). */
  fanoutPageSize?: number;
  /** DIGEST_PAGE_SIZE: digest periods the digest run reads per page (default 500). Tests only. */
  digestPageSize?: number;
  /** DIGEST_MAX_PERIODS: periods one digest invocation takes on (default 20,000). Tests only. */
  digestMaxPeriods?: number;
  /** MAIL_SENDS_PER_SECOND: the most mails one delivery container sends per second (its share of the SES rate). */
  mailSendsPerSecond?: number;
  /** MAIL_CONFIGURATION_SET: the SES configuration set every send names (its events drive email health). */
  mailConfigurationSet?: string;
}

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** The sweeper's default grace: well past a stream's or queue's normal delay. */
export const DEFAULT_SWEEP_GRACE_SECONDS = 600;

export function readAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const logLevel = env.LOG_LEVEL ?? 'info';
  const optional = (name: string, key: keyof AwsConfig) => (env[name] ? { [key]: env[name] } : {});
  const grace = env.SWEEP_GRACE_SECONDS ? Number(env.SWEEP_GRACE_SECONDS) : DEFAULT_SWEEP_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0)
    throw new Error(
      `SWEEP_GRACE_SECONDS must be a whole number of seconds, got "${env.SWEEP_GRACE_SECONDS}"`,
    );
  return {
    ...positive(env, 'FANOUT_PAGE_SIZE', 'fanoutPageSize', 1, 1000),
    ...positive(env, 'DIGEST_PAGE_SIZE', 'digestPageSize', 1, 1000),
    ...positive(env, 'DIGEST_MAX_PERIODS', 'digestMaxPeriods', 1, 1_000_000),
    ...positive(env, 'MAIL_SENDS_PER_SECOND', 'mailSendsPerSecond', 0.01, 10_000),
    tableName: required(env, 'TABLE_NAME'),
    ...optional('DELIVERY_QUEUE_URL', 'queueUrl'),
    ...optional('TOKEN_SECRET_ARN', 'tokenSecretArn'),
    ...optional('MAIL_FROM', 'mailFrom'),
    ...optional('MAIL_CONFIGURATION_SET', 'mailConfigurationSet'),
    ...optional('PUBLIC_URL', 'publicUrl'),
    metricsNamespace: env.METRICS_NAMESPACE || 'Dateline',
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
    retrySchedule: env.DATELINE_RETRY_SCHEDULE
      ? parseRetrySchedule(env.DATELINE_RETRY_SCHEDULE)
      : defaultRetrySchedule,
    allowLoopbackWebhooks: env.DATELINE_ALLOW_LOOPBACK_WEBHOOKS === '1',
    sweepGraceSeconds: grace,
  };
}

/** An optional number within [min, max], or a message naming the variable. */
function positive(env: NodeJS.ProcessEnv, name: string, key: keyof AwsConfig, min: number, max: number) {
  const text = env[name];
  if (text === undefined || text === '') return {};
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${text}"`);
  return { [key]: value };
}
