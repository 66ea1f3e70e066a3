/**
 * The notices function's asset as CDK builds it: `index.mjs` with only the warm path, its request
 * path as `notices-stack.mjs` beside it with the content files (`serving/`), and the two working
 * together: the asset's own bundle answers a first request, a miss, through the shipped stack file
 * (the TypeScript source it falls back to in tests does not exist beside an asset).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTICES_STACK_FILE } from '../../functions/notices/stack-file.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';
import { referenceProps, synthPlatform } from './platform-synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }>;

let assetDir: string;

beforeAll(() => {
  const result = synthPlatform(referenceProps);
  const resources = result.template.toJSON()['Resources'] as Resources;
  const notices = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties!['Description'] === 'Disclosure notices')!;
  assetDir = path.join(result.assembly.directory, notices.Metadata!['aws:asset:path']!);
}, 180_000);

describe('The notices asset', () => {
  it('ships the request path beside the bundle, not in it', () => {
    expect(existsSync(path.join(assetDir, NOTICES_STACK_FILE))).toBe(true);
    expect(existsSync(path.join(assetDir, 'serving', 'index.json'))).toBe(true);
    const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    const stack = readFileSync(path.join(assetDir, NOTICES_STACK_FILE), 'utf8');
    // zod's and middy's own wording, and the router's: in the stack file only.
    for (const marker of ['only GET and HEAD are allowed here', 'malformed query parameter', 'timeoutEarlyInMillis']) {
      expect(bundle, marker).not.toContain(marker);
      expect(stack, marker).toContain(marker);
    }
    // No built-in imported as an ES module but the banner's node:module: node:http and node:crypto
    // are not needed at all, node:fs's facade would load the promises API (serving-files.ts).
    expect([...new Set([...bundle.matchAll(/from\s*["']node:([a-z_/]+)["']/g)].map((match) => match[1]))]).toEqual(['module']);
  });

  it('answers a first request (a memo miss) and a bad one through the shipped stack file', async () => {
    const { handler } = (await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    const event = (query?: Record<string, string>) =>
      httpEvent({ method: 'GET', path: '/v1/notices/privacy/versions', routeKey: 'GET /v1/notices/{noticeId}/versions', pathParameters: { noticeId: 'privacy' }, ...(query ? { query } : {}), headers: {}, userAgent: 'vitest' });
    const page = await handler(event({ format: 'html', lang: 'ja' }), lambdaContext());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="ja">');
    const bad = await handler(event({ format: 'pdf' }), lambdaContext());
    expect(bad.statusCode).toBe(400);
    expect(bad.headers?.['Content-Type']).toBe('application/problem+json');
  });
});
