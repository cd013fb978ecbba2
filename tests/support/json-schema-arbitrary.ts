/**
 * fast-check arbitraries built from the OpenAPI document's JSON Schemas: values the document calls
 * valid, and values that break exactly one rule it states (a wrong type, a missing required
 * property, an unknown one, an enum or const miss, a pattern mismatch, a length, a bound, an item
 * count, a repeat, a malformed uri or email). Strings with a whole-string pattern come from
 * randexp; formats from the generators the caller passes (a uri that resolves is a test's choice).
 */
import fc from 'fast-check';
import randexpModule from 'randexp';
import {
  type JsonSchema,
  lengthOf,
  patternOf,
  resolve,
  type SchemaRoot,
  satisfies,
  typeOf,
} from './json-schema-check.ts';

// randexp is CommonJS (`module.exports = RandExp`) but its types declare an ES default export.
const RandExp = randexpModule as unknown as typeof randexpModule.default;

export interface GeneratorOptions {
  root: SchemaRoot;
  formats: { uri: fc.Arbitrary<string>; email: fc.Arbitrary<string> };
}

export interface InvalidValue {
  value: unknown;
  /** The rule broken, e.g. `maxLength`, and where: `sources.0.url`. */
  rule: string;
  at: string;
}

type Path = (string | number)[];
const REMOVE = Symbol('remove');

/** Letters, digits, spaces and some punctuation and non-ASCII letters of the Basic Multilingual Plane. */
const character = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  },
  { weight: 2, arbitrary: fc.constantFrom(' ', ' ', '-', ',', '.', "'", '"', '(', ')', '/', ':', '&') },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ü', 'ø', 'ж', 'Ш', 'ك', '中', '朝', '—', '–', '«', '»') },
);

/** A string matching a whole-string pattern, drawn by randexp from a seed fast-check gives. */
const fromPattern = (pattern: string) =>
  fc.integer().map((seed) => {
    const generator = new RandExp(pattern);
    generator.max = 4;
    let state = seed >>> 0;
    generator.randInt = (from: number, to: number) => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return from + (state % (to - from + 1));
    };
    return generator.gen();
  });

const isWholePattern = (pattern: string) => pattern.startsWith('^') && pattern.endsWith('$');

/** Values the schema calls valid. */
export function validArbitrary(options: GeneratorOptions, given: JsonSchema): fc.Arbitrary<unknown> {
  const schema = resolve(options.root, given);
  const valid = (inner: JsonSchema) => validArbitrary(options, inner);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const union = fc.oneof(...branches.map((branch) => valid({ ...rest, ...branch })));
    return schema.oneOf ? union.filter((value) => satisfies(options.root, schema, value)) : union;
  }
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => valid({ ...schema, type })));
  switch (schema.type) {
    case 'string':
      return validString(options, schema);
    case 'integer':
      return fc.integer({ min: num(schema.minimum, -1e6), max: num(schema.maximum, 1e6) });
    case 'number':
      return fc.double({
        min: num(schema.minimum, -1e6),
        max: num(schema.maximum, 1e6),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return validArray(options, schema);
    case 'object':
      return validObject(options, schema);
    default:
      throw new Error(`no generator for ${JSON.stringify(schema).slice(0, 120)}`);
  }
}

const num = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);

function validString(options: GeneratorOptions, schema: JsonSchema): fc.Arbitrary<string> {
  const min = num(schema.minLength, 0);
  const max = num(schema.maxLength, min + 40);
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
  let strings: fc.Arbitrary<string>;
  if (schema.format === 'uri' || schema.format === 'email') strings = options.formats[schema.format];
  else if (pattern && isWholePattern(pattern)) strings = fromPattern(pattern);
  else {
    const text = (from: number, to: number) => fc.string({ unit: character, minLength: from, maxLength: to });
    // Mostly short, sometimes exactly as long as allowed.
    strings = fc.oneof(
      { weight: 5, arbitrary: text(min, Math.min(max, min + 30)) },
      { weight: 1, arbitrary: text(max, max) },
    );
  }
  return strings.filter((value) => satisfies({ components: { schemas: {} } }, schema, value));
}

function validArray(options: GeneratorOptions, schema: JsonSchema): fc.Arbitrary<unknown[]> {
  const items = validArbitrary(options, (schema.items ?? {}) as JsonSchema);
  const minLength = num(schema.minItems, 0);
  const most = num(schema.maxItems, minLength + 4);
  // Now and then as long as allowed: a full array of actors or tags is many index items to write.
  const lengths = fc.oneof(
    { weight: 15, arbitrary: fc.constant(Math.min(most, minLength + 3)) },
    { weight: 1, arbitrary: fc.constant(most) },
  );
  return lengths.chain((maxLength) =>
    schema.uniqueItems === true
      ? fc.uniqueArray(items, { minLength, maxLength, selector: (item) => JSON.stringify(item) })
      : fc.array(items, { minLength, maxLength }),
  );
}

function validObject(options: GeneratorOptions, schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validArbitrary(options, property)]),
  );
  return fc.record(model, {
    requiredKeys: ((schema.required ?? []) as string[]).filter((name) => name in model),
  });
}

/** Values that break one rule the schema states, each with the rule and where it is broken. */
export function invalidArbitrary(options: GeneratorOptions, schema: JsonSchema): fc.Arbitrary<InvalidValue> {
  return validArbitrary(options, schema)
    .chain((value) => {
      // A rule first, then where to break it: every node could take a wrong type, which would
      // otherwise crowd out the rarer rules (a pattern, a format).
      const byRule = new Map<string, Mutation[]>();
      for (const mutation of mutations(options, schema, value, [])) {
        byRule.set(mutation.rule, [...(byRule.get(mutation.rule) ?? []), mutation]);
      }
      const candidates = fc.constantFrom(...byRule.values()).chain((group) => fc.constantFrom(...group));
      return candidates.chain(({ rule, path, replacement }) =>
        replacement.map((next) => ({
          value: replaceAt(value, path, next),
          rule,
          at: path.join('.') || '(body)',
        })),
      );
    })
    .filter((invalid) => !satisfies(options.root, schema, invalid.value));
}

interface Mutation {
  rule: string;
  path: Path;
  replacement: fc.Arbitrary<unknown>;
}

const ONE_OF_EACH_TYPE: unknown[] = ['text', 7, 1.5, true, null, {}, []];

function mutations(options: GeneratorOptions, given: JsonSchema, value: unknown, path: Path): Mutation[] {
  const { root } = options;
  const schema = resolve(root, given);
  const found: Mutation[] = [];
  const add = (rule: string, replacement: fc.Arbitrary<unknown>, at: Path = path) =>
    found.push({ rule, path: at, replacement });
  const wrongTypes = ONE_OF_EACH_TYPE.filter(
    (other) => typeOf(other) !== typeOf(value) && !satisfies(root, schema, other),
  );
  if (wrongTypes.length > 0) add('type', fc.constantFrom(...wrongTypes));
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const branch = branches?.find((candidate) => satisfies(root, candidate, value));
  if (branch) found.push(...mutations(options, branch, value, path));
  if (Array.isArray(schema.enum)) {
    const misses = [`${value}x`, String(value).toLowerCase(), String(value).toUpperCase(), 'unknown-value'];
    add('enum', fc.constantFrom(...misses.filter((miss) => !(schema.enum as unknown[]).includes(miss))));
  }
  if ('const' in schema) add('const', fc.constant(`${schema.const}x`));
  if (typeof value === 'string') found.push(...stringMutations(schema, value, path));
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number') add('minimum', fc.constant(schema.minimum - 1));
    if (typeof schema.maximum === 'number') add('maximum', fc.constant(schema.maximum + 1));
    if (schema.type === 'integer') add('type', fc.constant(value + 0.5));
  }
  if (Array.isArray(value)) found.push(...arrayMutations(options, schema, value, path));
  else if (typeof value === 'object' && value !== null) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (name in value) add('required', fc.constant(REMOVE), [...path, name]);
    }
    if (schema.additionalProperties === false)
      add('additionalProperties', fc.constant(1), [...path, 'unexpected']);
    for (const [name, property] of Object.entries(value)) {
      if (properties[name]) found.push(...mutations(options, properties[name], property, [...path, name]));
    }
  }
  return found;
}

/** The API trims some text before it checks it, so only what differs beyond whitespace at the ends counts as a mismatch. */
function stringMutations(schema: JsonSchema, value: string, path: Path): Mutation[] {
  const found: Mutation[] = [];
  const min = num(schema.minLength, 0);
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const lengthFits = (text: string) => lengthOf(text) >= min && (max === undefined || lengthOf(text) <= max);
  if (typeof schema.pattern === 'string') {
    const pattern = patternOf(schema.pattern);
    const chars = [...value];
    const edits = ['!', 'Z', 'x', '0', '/', '-', '.', '~', 'é', ' ', 'X'].flatMap((char) =>
      [0, Math.floor(chars.length / 2), chars.length].flatMap((at) => [
        [...chars.slice(0, at), char, ...chars.slice(at)].join(''),
        [...chars.slice(0, at), char, ...chars.slice(at + 1)].join(''),
      ]),
    );
    const misses = [...new Set([...edits, ' '.repeat(Math.max(1, min))])].filter(
      (text) => lengthFits(text) && !pattern.test(text) && !pattern.test(text.trim()),
    );
    if (misses.length > 0) found.push({ rule: 'pattern', path, replacement: fc.constantFrom(...misses) });
  }
  if (min > 0)
    found.push({ rule: 'minLength', path, replacement: fc.constant([...value].slice(0, min - 1).join('')) });
  if (max !== undefined) {
    const kept = value.trim() || 'x';
    found.push({
      rule: 'maxLength',
      path,
      replacement: fc.constant(kept + 'x'.repeat(max + 1 - lengthOf(kept))),
    });
  }
  if (schema.format === 'uri') {
    const broken = [
      'https://exa mple.org/report',
      'https://exa<mple>.org/report',
      'https://exa^mple.org/report',
    ];
    found.push({ rule: 'format', path, replacement: fc.constantFrom(...broken) });
  }
  if (schema.format === 'email') {
    const broken = ['desk.example.org', 'desk@', '@example.org', 'desk@@example.org', 'desk@exa mple.org'];
    found.push({ rule: 'format', path, replacement: fc.constantFrom(...broken) });
  }
  return found;
}

function arrayMutations(
  options: GeneratorOptions,
  schema: JsonSchema,
  value: unknown[],
  path: Path,
): Mutation[] {
  const found: Mutation[] = [];
  const items = (schema.items ?? {}) as JsonSchema;
  if (typeof schema.minItems === 'number' && schema.minItems > 0) {
    found.push({ rule: 'minItems', path, replacement: fc.constant(value.slice(0, schema.minItems - 1)) });
  }
  if (typeof schema.maxItems === 'number') {
    const length = schema.maxItems + 1;
    const item = validArbitrary(options, items);
    found.push({
      rule: 'maxItems',
      path,
      replacement:
        schema.uniqueItems === true
          ? fc.uniqueArray(item, {
              minLength: length,
              maxLength: length,
              selector: (one) => JSON.stringify(one),
            })
          : fc.array(item, { minLength: length, maxLength: length }),
    });
  }
  const room = typeof schema.maxItems !== 'number' || value.length < schema.maxItems;
  if (schema.uniqueItems === true && value.length > 0 && room) {
    found.push({ rule: 'uniqueItems', path, replacement: fc.constant([...value, value[0]]) });
  }
  value.slice(0, 2).forEach((item, index) => {
    found.push(...mutations(options, items, item, [...path, index]));
  });
  return found;
}

function replaceAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (next === REMOVE) delete parent[last];
  else parent[last] = next;
  return copy;
}
