import { defineEmailHealthJourneys } from './email-health-journeys.ts';

// The handlers as Lambda loads them: esbuild bundles built with the stack's own bundling options.
defineEmailHealthJourneys('bundle');
