import { createAwsAlerts } from '../shared/aws/alerts-runtime.ts';
import { createSweepHandler } from '../shared/aws/sweep-handler.ts';

export const handler = createSweepHandler(createAwsAlerts('dateline-sweep'));
