/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with.
 * Built at content-build time (`compiler/build.ts` serialises it into the artifact) and
 * served precomputed by the notices Lambda, so `z.toJSONSchema` never runs on a request.
 *
 * Each area contributes `openApiPaths` from `functions/http/schemas/<area>.ts`: to add one, append
 * an import and an entry to `areas` below (ESM has no static "import if present").
 */
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import type { OperationSpec, PathsSpec, SchemaSpec } from '../functions/http/schemas/common.ts';
import { openApiPaths as noticesPaths } from '../functions/http/schemas/notices.ts';
import { openApiPaths as accountsPaths } from '../functions/http/schemas/accounts.ts';
import { openApiPaths as choicesPaths } from '../functions/http/schemas/choices.ts';
import { openApiPaths as campaignsPaths } from '../functions/http/schemas/campaigns.ts';

/** Every area's path items, merged in this order. */
const areas: readonly AreaContribution[] = [
  { name: 'notices', paths: noticesPaths },
  { name: 'accounts', paths: accountsPaths },
  { name: 'choices', paths: choicesPaths },
  { name: 'campaigns', paths: campaignsPaths },
];

/**
 * One area's `openApiPaths`: the path items, or a function returning them (preferred on a serving
 * path: an unused function is dropped from the Lambda bundle, a module-level object is not).
 */
export interface AreaContribution {
  readonly name: string;
  readonly paths: PathsSpec | (() => PathsSpec);
}

const COMPONENT_PREFIX = '#/components/schemas/';
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

type JsonObject = Record<string, unknown>;

const isZodSchema = (schema: SchemaSpec): schema is $ZodType => typeof schema === 'object' && schema !== null && '_zod' in schema;

/** Drop the JSON Schema dialect keys OpenAPI documents do not repeat per schema. */
const withoutDialect = ({ $schema: _schema, $id: _id, ...rest }: JsonObject): JsonObject => rest;

/** Rewrite local `#/$defs/X` references to components: every `$defs` entry is a registered component. */
const toComponentRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as JsonObject)
      .filter(([key]) => key !== '$defs')
      .map(([key, inner]) =>
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')
          ? [key, COMPONENT_PREFIX + inner.slice('#/$defs/'.length)]
          : [key, toComponentRefs(inner)],
      ),
  );
};

const schemaObject = (schema: SchemaSpec, io: 'input' | 'output'): JsonObject => {
  if (!isZodSchema(schema)) return schema as JsonObject;
  const id = z.globalRegistry.get(schema)?.id;
  if (id !== undefined) return { $ref: COMPONENT_PREFIX + id };
  return toComponentRefs(withoutDialect(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject)) as JsonObject;
};

const mediaObjects = (content: OperationSpec['responses'][string]['content'], io: 'input' | 'output') =>
  content && Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { ...media, schema: schemaObject(media.schema, io) }]));

const operationObject = (operation: OperationSpec): JsonObject => ({
  ...operation,
  ...(operation.parameters && {
    parameters: operation.parameters.map((parameter) => ({ ...parameter, schema: schemaObject(parameter.schema, 'input') })),
  }),
  ...(operation.requestBody && { requestBody: { ...operation.requestBody, content: mediaObjects(operation.requestBody.content, 'input') } }),
  responses: Object.fromEntries(
    Object.entries(operation.responses).map(([status, response]) => [
      status,
      {
        ...response,
        ...(response.headers && {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, header]) => [name, { ...header, schema: schemaObject(header.schema, 'output') }]),
          ),
        }),
        ...(response.content && { content: mediaObjects(response.content, 'output') }),
      },
    ]),
  ),
});

/** Merge area path items; a path+method contributed twice is a programming error. */
export const mergePaths = (contributions: readonly AreaContribution[]): Record<string, JsonObject> => {
  const merged: Record<string, JsonObject> = {};
  for (const { name, paths } of contributions) {
    for (const [path, item] of Object.entries(typeof paths === 'function' ? paths() : paths)) {
      const target = (merged[path] ??= {});
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        if (target[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is contributed twice (again by ${name})`);
        target[method] = operationObject(operation);
      }
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
};

/** Every schema registered with an id, as OpenAPI components (sorted, for deterministic output). */
const componentSchemas = (): Record<string, JsonObject> => {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { uri: (id) => COMPONENT_PREFIX + id, unrepresentable: 'any' }) as {
    schemas: Record<string, JsonObject>;
  };
  return Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((id) => [id, withoutDialect(schemas[id]!)]),
  );
};

/** The OpenAPI 3.1 document of the whole API. */
export const buildOpenApiDocument = (): Record<string, unknown> => {
  const paths = mergePaths(areas);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Disclosure API',
      version: '1.0.0',
      description:
        'Regional and language variants of privacy notices, acceptance evidence, and change notices with a choice. ' +
        'Every error is `application/problem+json` (RFC 9457).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'notices', description: 'Public: notices, versions, diffs' },
      { name: 'meta', description: 'This document' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'End-user or admin token (JWT authoriser)' },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (IAM): trusted services' },
      },
    },
  };
};
