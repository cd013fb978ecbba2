/**
 * A bounded memo of a rendering: pages repeat the same events, dates, timestamps and links from
 * request to request, and each renders the same until its input changes (which `keyOf` names).
 * Past `size` entries it starts afresh rather than tracking use.
 */
export function memo<T, V>(
  render: (input: T) => V,
  keyOf: (input: T) => string,
  size = 2000,
): (input: T) => V {
  const known = new Map<string, V>();
  return (input) => {
    const key = keyOf(input);
    let value = known.get(key);
    if (value === undefined) {
      value = render(input);
      if (known.size >= size) known.clear();
      known.set(key, value);
    }
    return value;
  };
}
