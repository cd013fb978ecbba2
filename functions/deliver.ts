import { createAwsAlerts } from '../shared/aws/alerts-runtime.ts';
import { createDeliverHandler } from '../shared/aws/deliver-handler.ts';

export const handler = createDeliverHandler(createAwsAlerts('dateline-deliver'));
