/**
 * The campaigns API on a real engine: dry run (audience per region and language, sample email,
 * "no notification needed"), idempotent start (one campaign per notice version, planner messages
 * per region × shard), progress, and the admin-only rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/lambdas/campaigns-api.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import type { PlannerMessage } from '../../functions/campaigns/messages.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import type { HttpEvent } from '../../functions/http/middleware.ts';
import { AUDIENCE_SHARDS } from '../../functions/ledger/types.ts';
import { httpEvent, lambdaContext, type TestAuthorizer } from '../fakes/http-event.ts';
import { startTestTable, type TestTable } from './engines.ts';

const admin = { jwt: { claims: { sub: 'ops', scope: 'disclosure/admin' }, scopes: null } };
const request = (method: string, path: string, body?: unknown, authorizer: TestAuthorizer | null = admin): HttpEvent =>
  httpEvent({
    method,
    path,
    routeKey: `${method} ${path}`,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(authorizer ? { authorizer } : {}),
    userAgent: 't',
  });

describe('Campaigns API on a real engine', () => {
  let table: TestTable;
  const enqueued: PlannerMessage[] = [];
  let handler: ReturnType<typeof makeHandler>;
  const call = async (event: HttpEvent) => {
    const result = await handler(event, lambdaContext());
    return { status: result.statusCode, body: JSON.parse(String(result.body)) };
  };

  beforeAll(async () => {
    table = await startTestTable();
    const seed: [string, string, string, number][] = [
      ['de-1', 'eea', 'en', 1],
      ['de-2', 'eea', 'en', 1],
      ['fr-1', 'eea', 'ja', 1],
      ['jp-1', 'jp', 'ja', 1],
      ['jp-2', 'jp', 'ja', 2],
      ['ca-1', 'ca', 'en', 1],
      ['us-1', 'global', 'en', 1],
    ];
    for (const [accountId, region, language, version] of seed) {
      await table.store.advanceState({ kind: 'acceptance', accountId, noticeId: 'privacy', version, region, language, contentHash: '0'.repeat(64), at: '2026-06-01T00:00:00.000Z', source: { channel: 'test' } });
    }
    handler = makeHandler({
      store: new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient }),
      audience: table.store,
      plannerQueue: { send: async (messages) => void enqueued.push(...messages) },
      content: compiledContent,
      renderEmail: renderCampaignEmail,
      publicBaseUrl: 'https://disclosure.example',
      clock: fixedClock('2026-11-29T12:00:00.000Z'),
    });
  });

  afterAll(async () => table?.stop());

  it('dry run: the audience per region and language, and a rendered sample email', async () => {
    const { status, body } = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: true }));

    expect(status).toBe(200);
    expect(body.notificationNeeded).toBe(true);
    expect(body.audience).toEqual({
      total: 4,
      byRegion: [
        { region: 'eea', language: 'en', count: 2 },
        { region: 'eea', language: 'ja', count: 1 },
        { region: 'jp', language: 'ja', count: 1 },
      ],
    });
    expect(body.sampleEmail.subject.length).toBeGreaterThan(0);
    expect(body.sampleEmail.html).toContain('https://disclosure.example/choices/');
    expect(body.sampleEmail.html).not.toContain('{{');
    expect(enqueued).toEqual([]);
  });

  it('dry run of a version that needs no notification says so', async () => {
    const { status, body } = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 1, dryRun: true }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ notificationNeeded: false, audience: { total: 0 } });
  });

  it('starting it is refused for such a version', async () => {
    expect((await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 1 }))).status).toBe(422);
  });

  it('starts once: 202 with one planner message per region × shard, then the same campaign', async () => {
    const first = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: false }));
    const second = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: false }));

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ campaignId: 'privacy-v2', status: 'planning', deadline: '2027-02-01T00:00:00.000Z' });
    expect(second.status).toBe(200);
    expect(second.body.campaignId).toBe('privacy-v2');
    expect(enqueued).toHaveLength(2 * AUDIENCE_SHARDS);
    expect(new Set(enqueued.map((m) => `${m.region}/${m.shard}`)).size).toBe(2 * AUDIENCE_SHARDS);

    const progress = await call(request('GET', '/v1/campaigns/privacy-v2'));
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ audience: 0, sent: 0, choices: { accept: 0, keepPrevious: 0, delete: 0 }, pending: { sends: 0, choices: 0 } });
  });

  it('answers 404 for an unknown campaign, 401 without a principal, 403 for a user', async () => {
    expect((await call(request('GET', '/v1/campaigns/privacy-v9'))).status).toBe(404);
    expect((await call(request('GET', '/v1/campaigns/privacy-v2', undefined, null))).status).toBe(401);
    expect((await call(request('GET', '/v1/campaigns/privacy-v2', undefined, { jwt: { claims: { sub: 'u1' }, scopes: null } }))).status).toBe(403);
  });

  it('refuses a deadline in the past', async () => {
    const { status } = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: true, deadline: '2020-01-01T00:00:00Z' }));
    expect(status).toBe(422);
  });
});
