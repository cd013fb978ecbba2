import * as z from 'zod/mini';
import {
  componentResponses,
  documentedHeaders,
  withCommonResponses,
  withProblemExamples,
} from './openapi-responses.ts';
import type { RouteSpec } from './route.ts';
import { namedSchemas } from './schema-meta.ts';
import { problemSchema } from './schemas.ts';

type JsonSchema = Record<string, unknown>;
type Where = 'path' | 'query' | 'header';

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** Small touches that keep the document as it was before zod wrote it (it was @hono/zod-openapi's). */
function tidy(zodSchema: z.core.$ZodType, schema: JsonSchema): void {
  // zod leaves out the default of a schema whose transforms change the value (the filter's).
  const def = zodSchema._zod.def;
  if (def.type === 'default' && !('default' in schema)) {
    schema.default = (def as z.core.$ZodDefaultDef).defaultValue;
  }
  // A repeatable query parameter is documented as the array it becomes (see `repeatable`).
  if (schema.type === 'array' && schema.anyOf) delete schema.anyOf;
  // z.int() is a safe integer; its ±2^53 bounds say nothing to a reader.
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  // format: email says it; zod's own email regex is an implementation detail.
  if (schema.format === 'email') delete schema.pattern;
}

/**
 * Every schema of the document, converted at once with zod's own `toJSONSchema` (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Named schemas (see `named`) become components and are
 * referenced by `$ref` wherever they appear; the others are inlined where the route uses them.
 * Request schemas are shown as input (defaults optional, before transforms), as before.
 */
function convert(schemas: z.core.$ZodType[]) {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of namedSchemas) registry.add(schema, { id });
  const inline = new Map<z.core.$ZodType, string>();
  for (const schema of schemas) {
    if (registry.has(schema) || inline.has(schema)) continue;
    const id = `inline-${inline.size}`;
    inline.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas: converted } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    metadata: z.globalRegistry,
    uri: componentRef,
    override: ({ zodSchema, jsonSchema }) => tidy(zodSchema, jsonSchema as JsonSchema),
  }) as unknown as { schemas: Record<string, JsonSchema> };
  for (const schema of Object.values(converted)) {
    delete schema.$schema;
    delete schema.$id;
    delete schema.id;
  }
  const components: Record<string, JsonSchema> = {};
  // By name: schemas are built (and so named) in the order requests happened to need them.
  for (const id of [...namedSchemas.values()].sort()) {
    if (converted[id]) components[id] = converted[id];
  }
  const schemaOf = (schema: z.core.$ZodType): JsonSchema => {
    const named = namedSchemas.get(schema);
    return named ? { $ref: componentRef(named) } : converted[inline.get(schema)!]!;
  };
  return { components, schemaOf };
}

/** A route's request schemas, built (those no request has needed yet are built now). */
function requestSchemas(route: RouteSpec) {
  const { params, query, headers, body } = route.request ?? {};
  return { params: params?.(), query: query?.(), headers: headers?.(), body: body?.() };
}

/** The schemas a route's document entry needs. */
function schemasOf(route: RouteSpec): z.core.$ZodType[] {
  const { params, query, headers, body } = requestSchemas(route);
  const responses = Object.values(route.responses).flatMap((response) =>
    Object.values(response.content ?? {}).map((content) => content.schema()),
  );
  return [params, query, headers, body, ...responses].filter((schema) => schema !== undefined);
}

/** The components the paths refer to, directly or through other components (not those of routes this app left out). */
function referenced(paths: unknown, components: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const used = new Set<string>();
  const visit = (value: unknown) => {
    for (const [, id] of JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (id && !used.has(id)) {
        used.add(id);
        visit(components[id]);
      }
    }
  };
  visit(paths);
  return Object.fromEntries(Object.entries(components).filter(([id]) => used.has(id)));
}

/** An object schema's properties as OpenAPI parameters; `requiredNames` are required whatever the schema says. */
function parameters(
  schema: JsonSchema | undefined,
  where: Where,
  examples: Record<string, unknown> = {},
  requiredNames: string[] = [],
) {
  if (!schema) return [];
  const required = new Set([...((schema.required as string[] | undefined) ?? []), ...requiredNames]);
  return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => ({
    schema: property,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    ...(name in examples ? { example: examples[name] } : {}),
    name,
    in: where,
  }));
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/** Examples of one operation: its body (by name; a reader picks one), parameters, and responses by status. */
export interface OperationExamples {
  body?: Record<string, { summary: string; value: unknown }>;
  parameters?: Record<string, unknown>;
  responses?: Record<number, unknown>;
}

/** Examples by operation, keyed `method path` as the document writes them (`post /v1/events`). */
export type DocumentExamples = Record<string, OperationExamples>;

export interface Examples {
  /** By component name: shown wherever a route uses the schema. */
  schemas?: Record<string, unknown>;
  operations?: DocumentExamples;
  /** By status: the example of each problem+json response that has none of its own. */
  problems?: Record<number, unknown>;
}

/** The OpenAPI 3.1 document of these routes (without `servers`, which depends on the request). */
export function openApiDocument(
  routes: RouteSpec[],
  info: DocumentInfo,
  securitySchemes: JsonSchema,
  examples: Examples = {},
) {
  const { components, schemaOf } = convert([...routes.flatMap(schemasOf), problemSchema()]);
  for (const [id, example] of Object.entries(examples.schemas ?? {})) {
    if (components[id]) components[id] = { ...components[id], example };
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { params, query, headers, body } = requestSchemas(route);
    const example = examples.operations?.[`${route.method} ${route.path}`] ?? {};
    const parameterList = [
      ...parameters(params && schemaOf(params), 'path', example.parameters),
      ...parameters(query && schemaOf(query), 'query', example.parameters),
      ...parameters(headers && schemaOf(headers), 'header', example.parameters, route.requiredHeaders),
    ];
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.headers ? { headers: documentedHeaders(response.headers) } : {}),
          ...(response.content
            ? {
                content: Object.fromEntries(
                  Object.entries(response.content).map(([type, { schema }]) => [
                    type,
                    {
                      schema: schemaOf(schema()),
                      ...(example.responses && Number(status) in example.responses
                        ? { example: example.responses[Number(status)] }
                        : {}),
                    },
                  ]),
                ),
              }
            : {}),
        },
      ]),
    );
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      ...(route.tags ? { tags: route.tags } : {}),
      ...(route.summary ? { summary: route.summary } : {}),
      ...(route.description ? { description: route.description } : {}),
      ...(route.security ? { security: route.security } : {}),
      ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
      ...(body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                (route.bodyTypes ?? ['application/json']).map((type) => [
                  type,
                  { schema: schemaOf(body), ...(example.body ? { examples: example.body } : {}) },
                ]),
              ),
            },
          }
        : {}),
      responses: withProblemExamples(withCommonResponses(route, responses), examples.problems ?? {}),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [] as { url: string }[],
    components: {
      securitySchemes,
      responses: componentResponses(examples.problems ?? {}),
      schemas: referenced(paths, components),
    },
    paths,
  };
}
