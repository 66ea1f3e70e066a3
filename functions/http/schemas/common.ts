/**
 * Shared HTTP schemas and the shape of the OpenAPI fragments each area contributes.
 *
 * Schemas are zod 4: `zod/mini` here and on the serving path (a few KB in the bundle), full `zod`
 * is fine in other areas; both are zod core schemas, which `compiler/openapi.ts` converts.
 * A schema registered in `z.globalRegistry` with an `id` (full zod: `.meta({ id })`) becomes a
 * named component and is referenced by `$ref` wherever it is used.
 */
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';

/** A zod schema (full or mini) or an already written JSON Schema object. */
export type SchemaSpec = $ZodType | Readonly<Record<string, unknown>>;

export interface ParameterSpec {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly description: string;
  readonly schema: SchemaSpec;
}

export interface MediaSpec {
  readonly schema: SchemaSpec;
  readonly example?: unknown;
}

export interface HeaderSpec {
  readonly description: string;
  readonly schema: SchemaSpec;
}

export interface ResponseSpec {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderSpec>>;
  readonly content?: Readonly<Record<string, MediaSpec>>;
}

export interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** OpenAPI security requirements; omit for public routes. */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly parameters?: readonly ParameterSpec[];
  readonly requestBody?: { readonly required?: boolean; readonly description?: string; readonly content: Readonly<Record<string, MediaSpec>> };
  readonly responses: Readonly<Record<string, ResponseSpec>>;
}

/** What an area module exports as `openApiPaths`: OpenAPI path items whose schemas may be zod. */
export type PathsSpec = Readonly<Record<string, Partial<Record<'get' | 'post' | 'put' | 'delete' | 'patch', OperationSpec>>>>;

let problem: z.ZodMiniType | undefined;

const buildProblemSchema = (): z.ZodMiniType => {
  const schema = z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  });
  z.globalRegistry.add(schema, { id: 'Problem', description: 'RFC 9457 problem details; never a stack trace.' });
  return schema;
};

/** RFC 9457 problem details, the body of every error response (built on first use: documentation only). */
export const problemSchema = (): z.ZodMiniType => (problem ??= buildProblemSchema());

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const problemDescriptions: Readonly<Record<number, string>> = {
  400: 'Malformed request (a parameter, header or body has the wrong shape)',
  401: 'Missing or invalid credentials',
  403: 'The principal may not do this',
  404: 'Not found',
  406: 'None of the representations is acceptable',
  409: 'Conflicts with recorded state',
  410: 'No longer available',
  422: 'Well-formed but breaks a domain rule',
  500: 'Unexpected error (bare problem, no detail)',
};

/** Problem responses for the given statuses, for an operation's `responses`. */
export const problemResponses = (...statuses: readonly number[]): Record<string, ResponseSpec> =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: problemDescriptions[status] ?? 'Error', content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema() } } },
    ]),
  );

/** The request header every cacheable GET reads for conditional requests. */
export const ifNoneMatchParameter = (): ParameterSpec => ({
  name: 'If-None-Match',
  in: 'header',
  description: 'Entity tags (a list, weak tags or `*`); a match answers 304 with no body.',
  schema: { type: 'string' },
});

/** Response headers shared by cacheable GETs. */
export const cacheHeaders = (): Readonly<Record<string, HeaderSpec>> => ({
  ETag: { description: 'Entity tag of this representation', schema: { type: 'string' } },
  'Cache-Control': { description: 'Caching rules for browsers and the CDN', schema: { type: 'string' } },
});
