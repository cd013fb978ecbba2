import type { Node } from 'constructs';
import { isLogLevel, type LogLevel } from '../shared/platform/logger.ts';
import { deliverConcurrency, mailSendsPerConsumer } from './constructs/alerts.ts';

/** Everything a deployment may vary, read once from CDK context (`-c key=value` or cdk.json). */
export interface DeployConfig {
  stage: string;
  /** The From address of every alert mail. */
  senderAddress: string;
  /** When set, the SES identity is this domain (DKIM) instead of the single address. */
  senderDomain?: string;
  /** Create the SES identity in this stack; false when it already exists in the account. */
  createSenderIdentity: boolean;
  alarmEmail?: string;
  /** Base URL for links in mails; defaults to the HTTP API's own URL. */
  publicUrl?: string;
  /** Browser origins allowed to call every method; none means public GET from any origin. */
  corsOrigins: string[];
  apiRateLimit: number;
  apiBurstLimit: number;
  /** The account's SES sending rate in mails per second (14 when it leaves the sandbox). */
  sesMaxSendRate: number;
  logLevel: LogLevel;
  account?: string;
  region: string;
}

export const contextDefaults = {
  stage: 'dev',
  senderLocalPart: 'alerts',
  senderAddress: 'alerts@example.com',
  apiRateLimit: 50,
  apiBurstLimit: 100,
  sesMaxSendRate: 14,
  logLevel: 'info',
  region: 'us-east-1',
} as const;

/**
 * MAIL_SENDS_PER_SECOND the delivery function accepts (readAwsConfig in shared/aws/config.ts):
 * each consumer's share of sesMaxSendRate must fall within it, or every delivery container would
 * fail at its first invocation.
 */
export const mailSendsPerSecondRange = { min: 0.01, max: 10_000 } as const;

type Environment = Record<string, string | undefined>;

/** Reads and validates the context; throws naming the key that is wrong. */
export function readDeployConfig(node: Node, env: Environment = process.env): DeployConfig {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key} must be a string`);
    return value.trim();
  };

  const stage = text('stage') ?? contextDefaults.stage;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(
      `context stage must be lower-case letters, digits and dashes (at most 20), got "${stage}"`,
    );
  }

  const senderDomain = text('senderDomain');
  const senderAddress =
    text('senderAddress') ??
    (senderDomain ? `${contextDefaults.senderLocalPart}@${senderDomain}` : contextDefaults.senderAddress);
  if (!isEmailAddress(senderAddress)) throw new Error(`context senderAddress is not an email address`);
  if (senderDomain && !senderAddress.toLowerCase().endsWith(`@${senderDomain.toLowerCase()}`)) {
    // SES refuses a From address that its identity does not cover.
    throw new Error(`context senderAddress must be an address at senderDomain ${senderDomain}`);
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !isEmailAddress(alarmEmail)) {
    throw new Error('context alarmEmail is not an email address');
  }

  const logLevel = text('logLevel') ?? contextDefaults.logLevel;
  if (!isLogLevel(logLevel)) throw new Error('context logLevel must be one of debug, info, warn, error');

  return {
    stage,
    senderAddress,
    senderDomain,
    createSenderIdentity: readBoolean(node, 'createSenderIdentity', true),
    alarmEmail,
    publicUrl: readPublicUrl(text('publicUrl')),
    corsOrigins: readList(node, 'corsOrigins'),
    apiRateLimit: readPositiveNumber(node, 'apiRateLimit', contextDefaults.apiRateLimit),
    apiBurstLimit: readPositiveNumber(node, 'apiBurstLimit', contextDefaults.apiBurstLimit),
    sesMaxSendRate: readSesMaxSendRate(node),
    logLevel,
    account: text('account') ?? env.CDK_DEFAULT_ACCOUNT,
    // A concrete default region keeps `cdk synth` working without credentials or AWS config.
    region: text('region') ?? env.CDK_DEFAULT_REGION ?? env.AWS_REGION ?? contextDefaults.region,
  };
}

function isEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

function readPublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`context publicUrl is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:') throw new Error('context publicUrl must use https');
  return url.href.replace(/\/+$/, '');
}

/** Accepts a JSON array (cdk.json) or a comma-separated string (`-c corsOrigins=a,b`). */
function readList(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item !== '');
}

function readPositiveNumber(node: Node, key: string, fallback: number): number {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`context ${key} must be a positive number`);
  return number;
}

/** A positive rate whose share per delivery consumer the delivery function accepts. */
function readSesMaxSendRate(node: Node): number {
  const rate = readPositiveNumber(node, 'sesMaxSendRate', contextDefaults.sesMaxSendRate);
  const { min, max } = mailSendsPerSecondRange;
  const share = mailSendsPerConsumer(rate);
  if (share < min || rate / deliverConcurrency > max) {
    throw new Error(
      `context sesMaxSendRate must be from ${min * deliverConcurrency} to ${max * deliverConcurrency} mails a ` +
        `second: each of the ${deliverConcurrency} delivery consumers sends at most sesMaxSendRate ÷ ` +
        `${deliverConcurrency} a second (MAIL_SENDS_PER_SECOND), which must be ${min} to ${max}; got ${rate}, ` +
        `${rate / deliverConcurrency} per consumer`,
    );
  }
  return rate;
}

function readBoolean(node: Node, key: string, fallback: boolean): boolean {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false`);
}
