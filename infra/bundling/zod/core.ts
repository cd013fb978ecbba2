/** zod's `z.core` namespace (zod/v4/core/index.js) with English as its only locale; see index.ts. */
import en from '../../../node_modules/zod/v4/locales/en.js';

export * from '../../../node_modules/zod/v4/core/index.js';
export const locales = { en };
