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
}

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
  return value;
}

export function readAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const logLevel = env.LOG_LEVEL ?? 'info';
  const optional = (name: string, key: keyof AwsConfig) => (env[name] ? { [key]: env[name] } : {});
  return {
    tableName: required(env, 'TABLE_NAME'),
    ...optional('DELIVERY_QUEUE_URL', 'queueUrl'),
    ...optional('TOKEN_SECRET_ARN', 'tokenSecretArn'),
    ...optional('MAIL_FROM', 'mailFrom'),
    ...optional('PUBLIC_URL', 'publicUrl'),
    metricsNamespace: env.METRICS_NAMESPACE || 'Dateline',
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
  };
}
