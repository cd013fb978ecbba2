import { createAwsAlerts } from '../shared/aws/alerts-runtime.ts';
import { createDigestHandler, digestFromAlerts } from '../shared/aws/digest-handler.ts';

export const handler = createDigestHandler(digestFromAlerts(createAwsAlerts('dateline-digest')));
