import { defineJourneys } from './journeys.ts';

// The handlers as Lambda loads them: esbuild bundles built with the stack's own bundling options.
defineJourneys('bundle');
