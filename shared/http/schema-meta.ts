import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini installs no locale (classic zod installs English on its first schema); without this,
// every message would be the bare "Invalid input". Only English is imported, so bundles stay small.
z.config(en());

/** What the OpenAPI document shows beside a schema: zod's global metadata (description, example…). */
export type SchemaMeta = z.core.GlobalMeta & { example?: unknown };

/** The named schemas, in the order they were declared: each becomes `#/components/schemas/<id>`. */
export const namedSchemas = new Map<z.core.$ZodType, string>();

/** Attaches OpenAPI metadata (description, example…) to a schema; returns the same schema. */
export function meta<T extends z.core.$ZodType>(schema: T, metadata: SchemaMeta): T {
  z.globalRegistry.add(schema, metadata);
  return schema;
}

/** Names a schema: the document refers to it as `#/components/schemas/<id>` wherever it is used. */
export function named<T extends z.core.$ZodType>(id: string, schema: T, metadata: SchemaMeta = {}): T {
  namedSchemas.set(schema, id);
  return meta(schema, { id, ...metadata });
}

/** A schema as routes refer to it: built on first use, so a cold start builds only what it serves. */
export type SchemaRef<T extends z.core.$ZodType = z.ZodMiniType> = () => T;

/**
 * Defers building a schema to its first use and keeps it. Building all of the API's schemas
 * when the module loads costs every cold start several milliseconds; built lazily, a Lambda
 * container builds the schemas of the routes it serves, and `/openapi.json` the rest.
 */
export function lazy<T extends z.core.$ZodType>(build: () => T): SchemaRef<T> {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
