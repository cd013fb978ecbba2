import type { $ZodError } from 'zod/v4/core';
import { ValidationError } from '../errors.ts';

/** Turns zod issues into the problem's `errors: [{path, message}]`, paths prefixed by where they came from. */
export function validationErrorFrom(
  error: Pick<$ZodError, 'issues'>,
  where: 'body' | 'query' | 'params' | 'headers',
): ValidationError {
  const errors = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = errors[0];
  const detail = first ? `${first.path}: ${first.message}` : `Invalid ${where}`;
  return new ValidationError(
    errors.length > 1 ? `${detail} (and ${errors.length - 1} more)` : detail,
    errors,
  );
}
