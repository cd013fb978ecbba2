import { defineJourneys } from './journeys.ts';

// The handlers as TypeScript sources.
defineJourneys('source');
