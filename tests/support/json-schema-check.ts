/**
 * A checker for the part of JSON Schema 2020-12 the OpenAPI document uses (types, enum, const,
 * lengths, patterns, the uri and email formats, bounds, items, properties, anyOf/oneOf, $ref). The
 * generated-request tests use it to hold the generator to its word: every value it calls valid
 * satisfies the document, every value it calls invalid breaks it.
 */

export type JsonSchema = { [keyword: string]: unknown };

export interface SchemaRoot {
  components: { schemas: Record<string, JsonSchema> };
}

/** The schema a `$ref` to `#/components/schemas/<name>` names (the one kind of reference the document has). */
export function resolve(root: SchemaRoot, schema: JsonSchema): JsonSchema {
  let current = schema;
  while (typeof current.$ref === 'string') {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = root.components.schemas[name];
    if (!target) throw new Error(`unknown $ref ${current.$ref}`);
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

/** JSON Schema patterns are ECMA-262 regular expressions, unanchored, read with the u flag. */
export const patternOf = (pattern: string) => new RegExp(pattern, 'u');

/** Code points, as JSON Schema counts a string's length. */
export const lengthOf = (text: string) => [...text].length;

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const hasType = (types: unknown, value: unknown) => {
  const actual = typeOf(value);
  const allowed = Array.isArray(types) ? types : [types];
  return allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
};

/** Whether the value satisfies the schema. */
export function satisfies(root: SchemaRoot, given: JsonSchema, value: unknown): boolean {
  const schema = resolve(root, given);
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((branch) => satisfies(root, branch, value)))
    return false;
  if (
    Array.isArray(schema.oneOf) &&
    schema.oneOf.filter((branch) => satisfies(root, branch, value)).length !== 1
  )
    return false;
  if (schema.type !== undefined && !hasType(schema.type, value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if ('const' in schema && schema.const !== value) return false;
  if (typeof value === 'string') return stringSatisfies(schema, value);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    return true;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    if (
      schema.uniqueItems === true &&
      new Set(value.map((item) => JSON.stringify(item))).size !== value.length
    )
      return false;
    const items = schema.items as JsonSchema | undefined;
    return !items || value.every((item) => satisfies(root, items, item));
  }
  if (typeof value === 'object' && value !== null) return objectSatisfies(root, schema, value as object);
  return true;
}

function stringSatisfies(schema: JsonSchema, value: string): boolean {
  if (typeof schema.minLength === 'number' && lengthOf(value) < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && lengthOf(value) > schema.maxLength) return false;
  if (typeof schema.pattern === 'string' && !patternOf(schema.pattern).test(value)) return false;
  if (schema.format === 'uri' && !URI.test(value)) return false;
  if (schema.format === 'email' && !EMAIL.test(value)) return false;
  return true;
}

function objectSatisfies(root: SchemaRoot, schema: JsonSchema, value: object): boolean {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const entries = Object.entries(value);
  for (const name of (schema.required ?? []) as string[]) if (!(name in value)) return false;
  for (const [name, property] of entries) {
    const own = properties[name];
    if (own) {
      if (!satisfies(root, own, property)) return false;
    } else if (schema.additionalProperties === false) {
      return false;
    } else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
      if (!satisfies(root, schema.additionalProperties as JsonSchema, property)) return false;
    }
  }
  return true;
}
