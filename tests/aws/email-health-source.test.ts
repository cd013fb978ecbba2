import { defineEmailHealthJourneys } from './email-health-journeys.ts';

// The handlers as TypeScript sources.
defineEmailHealthJourneys('source');
