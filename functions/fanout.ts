import { createAwsAlerts } from '../shared/aws/alerts-runtime.ts';
import { createFanoutHandler } from '../shared/aws/fanout-handler.ts';

export const handler = createFanoutHandler(createAwsAlerts('dateline-fanout'));
