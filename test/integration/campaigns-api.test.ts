/**
 * The campaigns API on a real engine: dry run (audience per region and language, sample email,
 * "no notification needed"), idempotent start (one campaign per notice version, planner messages
 * per region × shard), progress, and the admin-only rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/lambdas/campaigns-api.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import type { PlannerMessage, SendMessage } from '../../functions/campaigns/messages.ts';
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
  const resent: SendMessage[] = [];
  let campaignStore: DynamoDbCampaignStore;
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
      store: (campaignStore = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient })),
      audience: table.store,
      plannerQueue: { send: async (messages) => void enqueued.push(...messages) },
      sendQueue: { send: async (messages) => void resent.push(...messages) },
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

  it('refuses a start whose parameters differ from the existing campaign: 409 with both values', async () => {
    const drift = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: false, deadline: '2027-03-01T00:00:00Z' }));
    expect(drift.status).toBe(409);
    expect(drift.body.conflicts).toEqual([{ field: 'deadline', requested: '2027-03-01T00:00:00.000Z', existing: '2027-02-01T00:00:00.000Z' }]);
    const same = await call(request('POST', '/v1/campaigns', { noticeId: 'privacy', version: 2, dryRun: false, deadline: '2027-02-01T00:00:00Z' }));
    expect(same.status).toBe(200);
  });

  it('lists the campaigns with status and counts, page by page', async () => {
    const list = (query: Record<string, string>) => call(httpEvent({ method: 'GET', path: '/v1/campaigns', routeKey: 'GET /v1/campaigns', query, authorizer: admin, userAgent: 't' }));
    const first = await list({ limit: '1' });
    expect(first.status).toBe(200);
    // Version 1 has no campaign: the page skips it and holds version 2's.
    expect(first.body.items.map((c: { campaignId: string }) => c.campaignId)).toEqual(['privacy-v2']);
    expect(first.body.items[0]).toMatchObject({ run: { status: 'running' }, audience: 0 });
    if (first.body.cursor) expect((await list({ limit: '5', cursor: first.body.cursor })).body.items.map((c: { campaignId: string }) => c.campaignId)).not.toContain('privacy-v2');
    expect((await list({ cursor: 'bogus!' })).status).toBe(400);
    expect((await list({ cursor: 'Ym9ndXM' })).status).toBe(400);
  });

  it('pauses and resumes: progress says paused, parked sends go back on the queue at resume, a wrong move is 409', async () => {
    const paused = await call(request('POST', '/v1/campaigns/privacy-v2/pause', { reason: 'checking the wording' }));
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', run: { status: 'paused', reason: 'checking the wording' } });
    expect((await call(request('POST', '/v1/campaigns/privacy-v2/pause', {}))).status).toBe(200);
    const message: SendMessage = { campaignId: 'privacy-v2', kind: 'notice', region: 'eea', language: 'en', accountIds: ['de-1'] };
    await campaignStore.park('privacy-v2', 'sqs-1', JSON.stringify(message), '2026-11-29T12:00:00.000Z');
    await campaignStore.park('privacy-v2', 'sqs-1', JSON.stringify(message), '2026-11-29T12:00:01.000Z');
    const resumed = await call(request('POST', '/v1/campaigns/privacy-v2/resume', {}));
    expect(resumed.status).toBe(200);
    expect(resumed.body.run.status).toBe('running');
    expect(resent).toEqual([message]);
    expect((await campaignStore.parked('privacy-v2')).items).toHaveLength(0);
    expect((await call(request('POST', '/v1/campaigns/privacy-v9/pause', {}))).status).toBe(404);
    expect((await call(request('POST', '/v1/campaigns/privacy-v2/pause', { extra: 1 }))).status).toBe(400);
  });
});
