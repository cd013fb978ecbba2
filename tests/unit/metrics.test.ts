import { describe, expect, it } from 'vitest';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  createMetrics,
  DeliveryLatency,
} from '../../shared/platform/metrics.ts';

const timestamp = Date.parse('2024-06-28T22:45:00.000Z');

function capture() {
  const lines: string[] = [];
  const metrics = createMetrics({
    namespace: 'Dateline',
    now: () => new Date(timestamp),
    write: (line) => lines.push(line),
  });
  const documents = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { metrics, lines, documents };
}

describe('metric names', () => {
  it('are the names the dashboard and alarms use', () => {
    expect([AlertsSent, AlertsFailed, AlertsDeadLettered, DeliveryLatency]).toEqual([
      'AlertsSent',
      'AlertsFailed',
      'AlertsDeadLettered',
      'DeliveryLatency',
    ]);
  });
});

describe('createMetrics', () => {
  it('writes nothing until flushed', () => {
    const { metrics, lines } = capture();
    metrics.count(AlertsSent, 1, { Channel: 'email' });
    expect(lines).toEqual([]);
  });

  it('flushes a count as an EMF document with namespace, dimensions, unit and value', () => {
    const { metrics, documents } = capture();
    metrics.count(AlertsSent, 1, { Channel: 'webhook' });
    metrics.flush();
    expect(documents()).toEqual([
      {
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: 'Dateline',
              Dimensions: [['Channel']],
              Metrics: [{ Name: 'AlertsSent', Unit: 'Count' }],
            },
          ],
        },
        Channel: 'webhook',
        AlertsSent: 1,
      },
    ]);
  });

  it('counts one by default and sums counts of the same metric and dimensions', () => {
    const { metrics, documents } = capture();
    metrics.count(AlertsFailed, undefined, { Channel: 'email' });
    metrics.count(AlertsFailed, 2, { Channel: 'email' });
    metrics.flush();
    expect(documents()[0]?.AlertsFailed).toBe(3);
  });

  it('records timings in milliseconds and keeps every value', () => {
    const { metrics, documents } = capture();
    metrics.timing(DeliveryLatency, 120, { Channel: 'webhook' });
    metrics.timing(DeliveryLatency, 80, { Channel: 'webhook' });
    metrics.flush();
    const [document] = documents();
    expect(document?.DeliveryLatency).toEqual([120, 80]);
    expect(JSON.stringify(document)).toContain('"Unit":"Milliseconds"');
  });

  it('writes one line per dimension set, each with its own dimension values', () => {
    const { metrics, documents } = capture();
    metrics.count(AlertsSent, 1, { Channel: 'webhook' });
    metrics.count(AlertsSent, 1, { Channel: 'email' });
    metrics.timing(DeliveryLatency, 50, { Channel: 'email' });
    metrics.flush();
    expect(documents()).toMatchObject([
      { Channel: 'webhook', AlertsSent: 1 },
      { Channel: 'email', AlertsSent: 1, DeliveryLatency: 50 },
    ]);
  });

  it('treats dimension sets with the same pairs in another order as one set', () => {
    const { metrics, lines } = capture();
    metrics.count(AlertsSent, 1, { Channel: 'email', Stage: 'dev' });
    metrics.count(AlertsSent, 1, { Stage: 'dev', Channel: 'email' });
    metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('publishes metrics recorded without dimensions under an empty dimension set', () => {
    const { metrics, documents } = capture();
    metrics.count(AlertsDeadLettered);
    metrics.flush();
    const aws = documents()[0]?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] };
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([[]]);
  });

  it('forgets what it flushed', () => {
    const { metrics, lines } = capture();
    metrics.count(AlertsSent);
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('splits more than 100 values of one metric across lines', () => {
    const { metrics, documents } = capture();
    for (let i = 0; i < 150; i += 1) metrics.timing(DeliveryLatency, i);
    metrics.flush();
    expect(documents().map((document) => (document.DeliveryLatency as number[]).length)).toEqual([100, 50]);
  });

  it('refuses a value that is not a finite number', () => {
    const { metrics } = capture();
    expect(() => metrics.timing(DeliveryLatency, Number.NaN)).toThrow(TypeError);
  });

  it('refuses to record one metric name with two units', () => {
    const { metrics } = capture();
    metrics.count(DeliveryLatency);
    expect(() => metrics.timing(DeliveryLatency, 5)).toThrow(/recorded as Count/);
  });
});
