/**
 * CloudWatch views of the metrics the functions write in embedded metric format
 * (shared/platform/metrics.ts). They are published per Channel only, so totals are metric math
 * over the channels; FILL makes a quiet channel count as zero instead of hiding the sum.
 */
import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { AlertsFailed, AlertsSent, ChannelDimension, channels } from '../../shared/platform/metrics.ts';
import { metricsNamespace } from './dateline-function.ts';

export type Channel = (typeof channels)[number];

export function alertMetric(
  metricName: string,
  channel: Channel,
  statistic: string,
  period: Duration,
): Metric {
  return new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { [ChannelDimension]: channel },
    statistic,
    period,
    label: `${metricName} ${channel}`,
  });
}

/** Sum of a count metric over every channel. */
export function totalOverChannels(metricName: string, period: Duration): MathExpression {
  const prefix = metricName.toLowerCase();
  const usingMetrics: Record<string, IMetric> = {};
  for (const channel of channels)
    usingMetrics[`${prefix}_${channel}`] = alertMetric(metricName, channel, 'Sum', period);
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label: `${metricName} (all channels)`,
    period,
  });
}

/** Percentage of delivery attempts that failed, over every channel; 0 when nothing was attempted. */
export function failedAttemptRate(period: Duration): MathExpression {
  return new MathExpression({
    expression: 'IF(sent + failed > 0, 100 * failed / (sent + failed), 0)',
    usingMetrics: {
      sent: totalOverChannels(AlertsSent, period),
      failed: totalOverChannels(AlertsFailed, period),
    },
    label: 'Failed delivery attempts (%)',
    period,
  });
}

export function perChannel(metricName: string, statistic: string, period: Duration): Metric[] {
  return channels.map((channel) => alertMetric(metricName, channel, statistic, period));
}
