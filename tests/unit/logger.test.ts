import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel, type LogLevel, REDACTED } from '../../shared/platform/logger.ts';

const fixedNow = () => new Date('2024-06-28T22:45:00.000Z');

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'dateline-test',
    level,
    now: fixedNow,
    write: (line) => lines.push(line),
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('createLogger', () => {
  it('writes one JSON line with level, message, timestamp, service and the fields', () => {
    const { logger, lines, entries } = capture();
    logger.info('delivery sent', { deliveryId: 'd-1', changeId: 'c-1', status: 204 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toEqual({
      level: 'info',
      message: 'delivery sent',
      timestamp: '2024-06-28T22:45:00.000Z',
      service: 'dateline-test',
      deliveryId: 'd-1',
      changeId: 'c-1',
      status: 204,
    });
  });

  it('drops lines below its level and defaults to info', () => {
    const { logger, entries } = capture();
    logger.debug('noise');
    logger.info('kept');
    logger.warn('kept too');
    expect(entries().map((entry) => entry.level)).toEqual(['info', 'warn']);
  });

  it('writes error lines at level error', () => {
    const { logger, entries } = capture('error');
    logger.warn('dropped');
    logger.error('kept');
    expect(entries()).toMatchObject([{ level: 'error', message: 'kept' }]);
  });

  it('does not let fields overwrite level, message, timestamp or service', () => {
    const { logger, entries } = capture();
    logger.info('real', { level: 'debug', message: 'fake', timestamp: 'then', service: 'other' });
    expect(entries()[0]).toMatchObject({ level: 'info', message: 'real', service: 'dateline-test' });
    expect(entries()[0]?.timestamp).toBe('2024-06-28T22:45:00.000Z');
  });
});

describe('Logger.child', () => {
  it('adds its fields to every line', () => {
    const { logger, entries } = capture();
    const child = logger.child({ requestId: 'r-1' });
    child.info('one');
    child.warn('two');
    expect(entries().map((entry) => entry.requestId)).toEqual(['r-1', 'r-1']);
  });

  it('accumulates fields across generations, with call fields taking precedence', () => {
    const { logger, entries } = capture();
    logger.child({ requestId: 'r-1', attempt: 1 }).child({ changeId: 'c-1' }).info('x', { attempt: 2 });
    expect(entries()[0]).toMatchObject({ requestId: 'r-1', changeId: 'c-1', attempt: 2 });
  });

  it('leaves the parent logger unchanged', () => {
    const { logger, entries } = capture();
    logger.child({ requestId: 'r-1' });
    logger.info('parent');
    expect(entries()[0]).not.toHaveProperty('requestId');
  });
});

describe('redaction', () => {
  it.each([
    'secret',
    'webhookSecret',
    'token',
    'managementToken',
    'authorization',
    'Authorization',
    'password',
    'apiKey',
    'key',
    'email',
    'address',
    'url',
    'webhookUrl',
    'credentials',
  ])('replaces the value under %s', (key) => {
    const { logger, entries } = capture();
    logger.info('x', { [key]: 'sensitive-value' });
    expect(entries()[0]?.[key]).toBe(REDACTED);
  });

  it.each(['requestId', 'changeId', 'deliveryId', 'subscriptionId', 'status', 'channel'])(
    'keeps %s',
    (key) => {
      const { logger, entries } = capture();
      logger.info('x', { [key]: 'visible' });
      expect(entries()[0]?.[key]).toBe('visible');
    },
  );

  it('redacts sensitive keys inside nested objects and arrays', () => {
    const { logger, lines } = capture();
    logger.info('x', { subscription: { id: 's-1', targets: [{ url: 'https://hooks.example/a' }] } });
    expect(JSON.parse(lines[0] as string).subscription).toEqual({ id: 's-1', targets: [{ url: REDACTED }] });
  });

  it('redacts bound child fields too', () => {
    const { logger, lines } = capture();
    logger.child({ authorization: 'Bearer abc' }).info('x');
    expect(lines[0]).not.toContain('abc');
  });

  it('scrubs email addresses, bearer tokens and query tokens out of free text', () => {
    const { logger, lines } = capture();
    logger.warn('mail to ada@example.org refused', {
      detail: 'sent Bearer k_123 to /v1/unsubscribe?token=tok_456&x=1',
    });
    expect(lines[0]).not.toMatch(/ada@example\.org|k_123|tok_456/);
    expect(JSON.parse(lines[0] as string).message).toBe(`mail to ${REDACTED} refused`);
  });

  it('survives circular references', () => {
    const { logger, entries } = capture();
    const loop: Record<string, unknown> = { id: 'a' };
    loop.self = loop;
    logger.info('x', { loop });
    expect(entries()[0]?.loop).toEqual({ id: 'a', self: '[circular]' });
  });
});

describe('error serialisation', () => {
  it('writes name and message of an Error, without its stack above debug level', () => {
    const { logger, entries } = capture('info');
    logger.error('failed', { err: new TypeError('bad input') });
    expect(entries()[0]?.err).toEqual({ name: 'TypeError', message: 'bad input' });
  });

  it('adds the stack at debug level', () => {
    const { logger, entries } = capture('debug');
    logger.error('failed', { err: new Error('boom') });
    const err = entries()[0]?.err as { stack?: string } | undefined;
    expect(err?.stack).toMatch(/^Error: boom\n\s+at /);
  });

  it('includes the cause chain and a string code', () => {
    const { logger, entries } = capture();
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    logger.error('failed', { err: new Error('webhook failed', { cause }) });
    expect(entries()[0]?.err).toEqual({
      name: 'Error',
      message: 'webhook failed',
      cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
    });
  });

  it('scrubs email addresses from error messages', () => {
    const { logger, lines } = capture();
    logger.error('failed', { err: new Error('Address blocked: bob@example.net') });
    expect(lines[0]).not.toContain('bob@example.net');
  });
});

describe('isLogLevel', () => {
  it('accepts the four levels and nothing else', () => {
    expect(['debug', 'info', 'warn', 'error'].every(isLogLevel)).toBe(true);
    expect(isLogLevel('trace')).toBe(false);
    expect(isLogLevel('toString')).toBe(false);
  });
});
