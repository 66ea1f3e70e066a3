/**
 * Conformance: every event the local gateway builds, captured over the wire for a spread of routes,
 * methods, content types, authorisers, cookies and queries (and the `$default` route), validates
 * against the API Gateway HTTP API payload 2.0 schema of the Powertools parser package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '../../../../functions/http/middleware.ts';
import { ADMIN_SCOPE } from '../../../../functions/http/principal.ts';
import { startGateway, type Gateway } from '../../../../local/gateway.ts';
import { TEXT_CONTENT_TYPE } from '../../../../local/gateway/event.ts';
import { createLocalJwtAuthorizer } from '../../../../local/jwt-authorizer.ts';

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/html; charset=utf-8',
  'application/xml',
  'application/javascript',
  'application/octet-stream',
  'image/png',
  '',
];

describe('Local gateway events conform to the payload 2.0 schema (@aws-lambda-powertools/parser)', () => {
  let keyDir: string;
  let gateway: Gateway;
  let admin: string;
  let user: string;
  const captured: APIGatewayProxyEventV2[] = [];
  const capture: HttpHandler = async (event) => {
    captured.push(structuredClone(event));
    return { statusCode: 204 };
  };

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'conformance-'));
    const authorizer = await createLocalJwtAuthorizer({ keyDir });
    admin = await authorizer.sign({ sub: 'ops', scope: ADMIN_SCOPE, claims: { groups: ['a', 'b'], meta: { k: 1 }, flag: true } });
    user = await authorizer.sign({ sub: 'acct-1', claims: { scp: ['x'] } });
    gateway = await startGateway({
      handlers: { notices: capture, accounts: capture, 'campaigns-api': capture, choices: capture },
      authorize: authorizer.authorizeRoute,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('validates every captured event, text and base64 bodies alike', async () => {
    const requests: [string, RequestInit][] = [
      ['/v1/notices', {}],
      ['/v1/notices/privacy?region=eea&language=de&x=1&x=2', { headers: { 'accept-language': 'de', cookie: 'a=1; b=2' } }],
      ['/v1/notices/priv%C3%A9/versions', {}],
      ['/v1/openapi.json', { method: 'GET', headers: { 'x-forwarded-for': '203.0.113.9' } }],
      ['/v1/accounts/acct-1/notices/privacy/status', { headers: { authorization: `Bearer ${user}` } }],
      ['/v1/campaigns/privacy-v2', { headers: { authorization: `Bearer ${admin}` } }],
      ['/nowhere/at/all', {}],
      ['/v1/notices/privacy', { method: 'DELETE' }],
    ];
    for (const contentType of CONTENT_TYPES) {
      const headers: Record<string, string> = { authorization: `Bearer ${admin}` };
      if (contentType) headers['content-type'] = contentType;
      requests.push(['/v1/campaigns', { method: 'POST', headers, body: contentType.startsWith('image') ? new Uint8Array([0, 255, 1]) : 'option=accept&x={"a":1}' }]);
      requests.push(['/choices/tok', { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body: 'option=delete' }]);
    }
    for (const [path, init] of requests) {
      const response = await fetch(`${gateway.url}${path}`, init);
      expect(response.status, path).toBe(204);
    }

    expect(captured).toHaveLength(requests.length);
    for (const event of captured) {
      const result = APIGatewayProxyEventV2Schema.safeParse(event);
      expect(result.success, `${event.routeKey} ${event.headers['content-type'] ?? ''}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
      if (event.body !== undefined) {
        expect(event.isBase64Encoded).toBe(!TEXT_CONTENT_TYPE.test(event.headers['content-type'] ?? ''));
      }
    }
    const contentTypes = new Set(captured.map((event) => event.headers['content-type'] ?? '(none)'));
    const routeKeys = new Set(captured.map((event) => event.routeKey));
    expect(routeKeys).toContain('$default');
    console.info(`payload 2.0 conformance: ${captured.length} events valid, ${contentTypes.size} content types, ${routeKeys.size} route keys, ` +
      `${captured.filter((event) => event.isBase64Encoded).length} base64 bodies`);
  });
});
