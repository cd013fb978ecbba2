import { createMailEventsHandler, mailEventsFromEnv } from '../shared/aws/mail-events-handler.ts';

export const handler = createMailEventsHandler(mailEventsFromEnv());
