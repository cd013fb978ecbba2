/**
 * CloudWatch embedded metric format (EMF): metrics are written as structured log lines that
 * CloudWatch Logs turns into metrics, so recording one costs no API call and no extra IAM.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** Alerts accepted by the receiver (2xx webhook, email handed to SES/SMTP). */
export const AlertsSent = 'AlertsSent';
/** Failed delivery attempts (each attempt that will be retried or dead-lettered). */
export const AlertsFailed = 'AlertsFailed';
/** Deliveries that exhausted their retry schedule. */
export const AlertsDeadLettered = 'AlertsDeadLettered';
/** Attempts a provider asked to slow down (SES throttling, SMTP 421/451): retried later, not failures. */
export const AlertsThrottled = 'AlertsThrottled';
/** Events whose fan-out failed in a sweep and were parked so that the sweep could go on. */
export const FanoutsParked = 'FanoutsParked';
/** Time from the event change to the successful delivery, in milliseconds. */
export const DeliveryLatency = 'DeliveryLatency';
/** Dimension naming the delivery channel: `webhook` or `email`. */
export const ChannelDimension = 'Channel';
export const channels = ['webhook', 'email'] as const;

export type MetricUnit = 'Count' | 'Milliseconds';
export type Dimensions = Record<string, string>;

export interface Metrics {
  count(name: string, value?: number, dimensions?: Dimensions): void;
  timing(name: string, milliseconds: number, dimensions?: Dimensions): void;
  /** Writes one EMF line per dimension set recorded since the last flush, then forgets them. */
  flush(): void;
}

export interface MetricsOptions {
  namespace: string;
  /** Receives each line without its newline. */
  write?: (line: string) => void;
  now?: () => Date;
}

// EMF limits: at most 100 values per metric and 30 dimensions per line.
const MAX_VALUES_PER_LINE = 100;
const MAX_DIMENSIONS = 30;

interface Series {
  unit: MetricUnit;
  values: number[];
}

interface DimensionSet {
  dimensions: Dimensions;
  series: Map<string, Series>;
}

/** Same reason as the logger: bypass the Lambda runtime's prefix so CloudWatch sees bare JSON. */
function writeToStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function createMetrics(options: MetricsOptions): Metrics {
  const write = options.write ?? writeToStdout;
  const now = options.now ?? (() => new Date());
  const sets = new Map<string, DimensionSet>();

  const record = (name: string, unit: MetricUnit, value: number, dimensions: Dimensions): void => {
    if (name === '') throw new TypeError('metric name must not be empty');
    if (!Number.isFinite(value)) throw new TypeError(`metric ${name} needs a finite value, got ${value}`);
    if (Object.keys(dimensions).length > MAX_DIMENSIONS) {
      throw new RangeError(`metric ${name} has more than ${MAX_DIMENSIONS} dimensions`);
    }
    const key = dimensionKey(dimensions);
    let set = sets.get(key);
    if (!set) {
      set = { dimensions: { ...dimensions }, series: new Map() };
      sets.set(key, set);
    }
    const series = set.series.get(name);
    if (!series) {
      set.series.set(name, { unit, values: [value] });
    } else if (series.unit !== unit) {
      throw new TypeError(`metric ${name} was recorded as ${series.unit}, not ${unit}`);
    } else if (unit === 'Count') {
      // Counts aggregate locally: one number per flush is all CloudWatch needs.
      series.values[0] = (series.values[0] ?? 0) + value;
    } else {
      series.values.push(value);
    }
  };

  return {
    count: (name, value = 1, dimensions = {}) => record(name, 'Count', value, dimensions),
    timing: (name, milliseconds, dimensions = {}) => record(name, 'Milliseconds', milliseconds, dimensions),
    flush: () => {
      const timestamp = now().getTime();
      for (const set of sets.values()) {
        for (const line of toEmfLines(options.namespace, timestamp, set)) write(JSON.stringify(line));
      }
      sets.clear();
    },
  };
}

function dimensionKey(dimensions: Dimensions): string {
  return JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function toEmfLines(namespace: string, timestamp: number, set: DimensionSet): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const longest = Math.max(...[...set.series.values()].map((series) => series.values.length));
  for (let offset = 0; offset < longest; offset += MAX_VALUES_PER_LINE) {
    const metrics: { Name: string; Unit: MetricUnit }[] = [];
    const values: Record<string, number | number[]> = {};
    for (const [name, series] of set.series) {
      const chunk = series.values.slice(offset, offset + MAX_VALUES_PER_LINE);
      if (chunk.length === 0) continue;
      metrics.push({ Name: name, Unit: series.unit });
      values[name] = chunk.length === 1 ? (chunk[0] as number) : chunk;
    }
    lines.push({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          // An empty dimension set ([[]]) publishes the metric without dimensions.
          { Namespace: namespace, Dimensions: [Object.keys(set.dimensions)], Metrics: metrics },
        ],
      },
      ...set.dimensions,
      ...values,
    });
  }
  return lines;
}
