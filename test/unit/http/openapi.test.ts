import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { compiledContent } from '../../../functions/content/artifact.ts';
import { buildOpenApiDocument, mergePaths } from '../../../compiler/openapi.ts';
import { routes } from '../../../functions/routes.ts';

type Json = Record<string, unknown>;
const document = buildOpenApiDocument() as Json & { paths: Record<string, Json>; components: { schemas: Record<string, Json> } };

const refsIn = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner)));
};

describe('Function: buildOpenApiDocument', () => {
  it('is an OpenAPI 3.1 document with the JSON Schema 2020-12 dialect', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(document.info).toMatchObject({ title: 'Disclosure API', version: expect.any(String) });
  });

  it('documents every route of the notices Lambda in the route table', () => {
    const noticeRoutes = routes.filter((route) => route.lambda === 'notices' && route.method !== 'HEAD');
    expect(noticeRoutes.length).toBe(5);
    for (const route of noticeRoutes) {
      expect(document.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('resolves every $ref to a component schema', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
  });

  it('describes errors as problem+json and keeps JSON Schema dialect keys out of the schemas', () => {
    const getNotice = document.paths['/v1/notices/{noticeId}']!['get'] as { responses: Record<string, Json> };
    for (const status of ['400', '404', '406', '422']) {
      expect(getNotice.responses[status]).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    }
    const text = JSON.stringify(document);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain('"$defs"');
  });

  it('documents the query parameters with the patterns the handler validates with', () => {
    const parameters = (document.paths['/v1/notices/{noticeId}']!['get'] as { parameters: { name: string; in: string; schema: Json }[] }).parameters;
    const byName = Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter]));
    expect(byName['country']).toMatchObject({ in: 'query', schema: { type: 'string', pattern: '^[A-Za-z]{2}$' } });
    expect(byName['format']).toMatchObject({ in: 'query', schema: { enum: ['json', 'html', 'md'] } });
    expect(byName['noticeId']).toMatchObject({ in: 'path', required: true });
    expect(byName['If-None-Match']).toMatchObject({ in: 'header' });
  });

  it('is deterministic (the content build must be byte-for-byte reproducible)', () => {
    expect(JSON.stringify(buildOpenApiDocument())).toBe(JSON.stringify(document));
  });

  it('is what the content build serialised into the artifact', () => {
    // Fails when schemas changed after the last build: `npm test` rebuilds first (pretest).
    expect(JSON.parse(compiledContent.openapi), 'stale .build/content.json: run `npm run cli -- build`').toEqual(document);
  });
});

describe('Function: mergePaths', () => {
  const operation = (operationId: string) => ({ operationId, summary: operationId, responses: { '204': { description: 'done' } } });

  it('merges methods of one path contributed by different areas and converts zod schemas', () => {
    const merged = mergePaths([
      { name: 'a', paths: { '/x': { get: { ...operation('getX'), parameters: [{ name: 'q', in: 'query', description: 'q', schema: z.string() }] } } } },
      { name: 'b', paths: () => ({ '/x': { post: operation('postX') } }) },
    ]);
    expect(Object.keys(merged['/x']!)).toEqual(['get', 'post']);
    expect((merged['/x']!['get'] as { parameters: { schema: Json }[] }).parameters[0]!.schema).toEqual({ type: 'string' });
  });

  it('refuses the same operation contributed twice', () => {
    expect(() => mergePaths([
      { name: 'a', paths: { '/x': { get: operation('one') } } },
      { name: 'b', paths: { '/x': { get: operation('two') } } },
    ])).toThrow(/GET \/x is contributed twice/);
  });
});
