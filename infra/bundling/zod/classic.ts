/** zod's `z` namespace (zod/v4/classic/external.js) with English as its only locale; see index.ts. */
import en from '../../../node_modules/zod/v4/locales/en.js';

export * from '../../../node_modules/zod/v4/classic/external.js';
export * as core from './core.ts';
export const locales = { en };
