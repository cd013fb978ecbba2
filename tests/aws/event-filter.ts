/**
 * Lambda event filtering (the EventBridge pattern grammar) for the subset a filter may use here:
 * nested objects, value lists (OR), `prefix`, `exists` and `anything-but`. A pattern this does
 * not know is refused loudly rather than matched wrongly.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(rule, value));
  if (pattern && typeof pattern === 'object') {
    const object = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    return Object.entries(pattern).every(([key, inner]) => matchesPattern(inner, object[key]));
  }
  throw new Error(`unsupported filter pattern ${JSON.stringify(pattern)}`);
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (rule === null || typeof rule !== 'object') return value === rule;
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) throw new Error(`unsupported filter rule ${JSON.stringify(rule)}`);
  const [operator, operand] = entries[0]!;
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'exists':
      return (value !== undefined) === operand;
    case 'anything-but':
      return value !== undefined && !(Array.isArray(operand) ? operand : [operand]).includes(value);
    default:
      throw new Error(`unsupported filter operator ${operator}`);
  }
}
