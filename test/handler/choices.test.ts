import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { DynamoDbChoiceOutbox } from '../../functions/campaigns/dynamodb/outbox-store.ts';
import { InMemoryChoicePublisher } from '../../functions/campaigns/events.ts';
import type { Campaign } from '../../functions/campaigns/model.ts';
import { staticTokenKey } from '../../functions/campaigns/token-key.ts';
import { makeHandler } from '../../functions/lambdas/choices.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { CHOICE_OPTION_IDS } from '../../functions/core/choice-options.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { signChoiceToken } from '../../functions/core/tokens.ts';
import type { HttpHandler } from '../../functions/http/middleware.ts';
import { startTestTable, type TestTable } from '../integration/engines.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';

const DEADLINE = '2027-02-01T00:00:00.000Z';
const key = new Uint8Array(randomBytes(32));

const campaignOf = (campaignId: string): Campaign => ({
  campaignId,
  noticeId: 'privacy',
  version: 2,
  deadline: DEADLINE,
  regions: [
    { region: 'eea', notification: 'choice', options: CHOICE_OPTION_IDS },
    { region: 'jp', notification: 'choice', options: CHOICE_OPTION_IDS },
  ],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
});

const event = (method: 'GET' | 'POST', token: string, options: { query?: Record<string, string>; body?: string; headers?: Record<string, string> } = {}) =>
  httpEvent({
    method,
    path: `/choices/${token}`,
    routeKey: `${method} /choices/{token}`,
    headers: { 'user-agent': 'Mozilla/5.0 test', ...(options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers },
    ...(options.query ? { query: options.query } : {}),
    pathParameters: { token },
    sourceIp: '203.0.113.77',
    userAgent: 'Mozilla/5.0 test',
    ...(options.body !== undefined ? { body: options.body } : {}),
  });

describe('Lambda: choices', () => {
  let table: TestTable;
  let campaigns: DynamoDbCampaignStore;
  let recipients: DynamoDbRecipientStore;
  const clock = fixedClock('2026-12-01T09:00:00.000Z');
  const events = new InMemoryChoicePublisher();
  let handler: HttpHandler;

  const seedAccount = async (accountId: string, region: string, language: string, campaignId = 'privacy-v2') => {
    await table.store.advanceState({
      kind: 'acceptance',
      accountId,
      noticeId: 'privacy',
      version: 1,
      region,
      language,
      contentHash: 'a'.repeat(64),
      at: '2026-04-01T00:00:00.000Z',
      source: { channel: 'api' },
    });
    await recipients.claimRecipient({ campaignId, accountId, kind: 'notice', attemptId: 'a1', region, language, now: 0, leaseMs: 1, inDoubtGraceMs: 0 });
    await recipients.markSent(campaignId, accountId, 'notice', 'a1', `m-${accountId}`, '2026-11-02T00:00:00.000Z');
  };
  const tokenFor = (accountId: string, campaignId = 'privacy-v2') => signChoiceToken({ campaignId, accountId, expiresAt: DEADLINE }, key);
  const call = (e: APIGatewayProxyEventV2) => handler(e, lambdaContext());
  const counters = async (campaignId = 'privacy-v2') => (await campaigns.snapshot(campaignId))?.counters;

  beforeAll(async () => {
    table = await startTestTable();
    campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaignOf('privacy-v2'));
    await campaigns.createCampaign(campaignOf('privacy-v2-other'));
    await seedAccount('acct-de', 'eea', 'en');
    await seedAccount('acct-jp', 'jp', 'ja');
    await seedAccount('acct-fr', 'eea', 'en');
    await seedAccount('acct-rep', 'eea', 'en');
    await seedAccount('acct-rep2', 'eea', 'en');
    await seedAccount('acct-acc', 'jp', 'ja');
    handler = makeHandler({
      content: compiledContent,
      clock,
      logger: new Logger({ serviceName: 'choices', logLevel: 'SILENT' }),
      tokenKey: staticTokenKey(key),
      campaigns,
      ledger: table.store,
      choices: recipients,
      events,
      outbox: new DynamoDbChoiceOutbox({ tableName: table.tableName, client: table.documentClient }),
    }) as never;
  });
  afterAll(async () => table?.stop());
  beforeEach(() => clock.set('2026-12-01T09:00:00.000Z'));

  describe('GET /choices/{token}', () => {
    it('renders the options, deadline and links in English for an EEA account, with strict headers, and writes nothing', async () => {
      // Prepare
      const before = await table.scanAll();

      // Act
      const response = await call(event('GET', tokenFor('acct-de'), { query: { option: 'delete' } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
      expect(response.headers?.['Cache-Control']).toBe('no-store');
      expect(response.headers?.['Referrer-Policy']).toBe('no-referrer');
      expect(response.headers?.['Content-Security-Policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(response.headers?.['Content-Security-Policy']).toContain("frame-ancestors 'none'");
      expect(response.headers?.['X-Content-Type-Options']).toBe('nosniff');
      expect(response.headers?.['X-Frame-Options']).toBe('DENY');
      expect(response.body).toContain('<html lang="en"');
      expect(response.body).toContain('1 February 2027 at 00:00 UTC');
      expect(response.body).toContain('36 months');
      expect(response.body).toMatch(/value="delete" aria-describedby="option-delete-description" checked/);
      expect(response.body).toContain('href="/v1/notices/privacy?version=2&amp;region=eea&amp;lang=en&amp;format=html"');
      // "See exactly what changed" opens the readable diff page, not the JSON.
      expect(response.body).toContain('href="/v1/notices/privacy/diff?from=1&amp;to=2&amp;region=eea&amp;lang=en&amp;format=html"');
      expect(await table.scanAll()).toEqual(before);
    });

    it('renders Japanese for a jp account', async () => {
      const response = await call(event('GET', tokenFor('acct-jp')));

      expect(response.statusCode).toBe(200);
      expect(response.headers?.['Content-Language']).toBe('ja');
      expect(response.body).toContain('<html lang="ja"');
      expect(response.body).toContain('この内容で選択する');
    });

    it('answers JSON to an API client', async () => {
      const response = await call(event('GET', tokenFor('acct-fr'), { headers: { accept: 'application/json' } }));

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body ?? '{}')).toMatchObject({ campaignId: 'privacy-v2', deadline: DEADLINE, options: ['accept', 'keep-previous', 'delete'] });
    });
  });

  describe('POST /choices/{token}', () => {
    it('records the choice: evidence, state, counter, event, confirmation; then a change of mind moves the counter', async () => {
      // Act: accept, then (an hour later) delete
      const first = await call(event('POST', tokenFor('acct-de'), { body: 'option=accept' }));
      clock.advance(3_600_000);
      const second = await call(event('POST', tokenFor('acct-de'), { body: 'option=delete' }));

      // Assess
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('Thank you: your choice is recorded');
      expect(second.body).toContain('Delete the information you already hold about me');
      const state = await table.store.getState('acct-de', 'privacy');
      expect(state?.choice).toMatchObject({ campaignId: 'privacy-v2', version: 2, option: 'delete', defaulted: false, at: '2026-12-01T10:00:00.000Z' });
      const evidence = (await table.scanAll()).filter((item) => item['accountId'] === 'acct-de' && String(item['sk']).startsWith('EV#CHO#'));
      expect(evidence.map((item) => item['option'])).toEqual(['accept', 'delete']);
      expect(evidence[0]).toMatchObject({ channel: 'web', ipPrefix: '203.0.113.0/24', userAgent: 'Mozilla/5.0 test' });
      expect(await counters()).toMatchObject({ choice_accept: 0, choice_delete: 1, choice_keep_previous: 0 });
      const mine = events.events.filter((e) => e.accountId === 'acct-de');
      expect(mine.map((e) => [e.option, e.previousOption])).toEqual([
        ['accept', undefined],
        ['delete', 'accept'],
      ]);
      expect((await recipients.getRecipient('privacy-v2', 'acct-de'))?.['choice']).toBe('delete');
    });

    it('a repeated choice records nothing and answers the existing record', async () => {
      // Act
      const first = await call(event('POST', tokenFor('acct-rep'), { body: 'option=delete', headers: { accept: 'application/json' } }));
      clock.advance(60_000);
      const again = await call(event('POST', tokenFor('acct-rep'), { body: '{"option":"delete"}', headers: { accept: 'application/json', 'content-type': 'application/json' } }));

      // Assess
      expect(first.statusCode).toBe(200);
      expect(again.statusCode).toBe(200);
      expect(JSON.parse(again.body ?? '{}')).toEqual(JSON.parse(first.body ?? '{}'));
      expect(JSON.parse(first.body ?? '{}')).toMatchObject({ option: 'delete', seq: 1, evidenceId: 'privacy-v2/acct-rep/1' });
      const evidence = (await table.scanAll()).filter((item) => item['accountId'] === 'acct-rep' && String(item['sk']).startsWith('EV#CHO#'));
      expect(evidence).toHaveLength(1);
      expect(events.events.filter((e) => e.accountId === 'acct-rep')).toHaveLength(1);
    });

    it('refuses cross-site browser posts (403) and bodies that are neither a form nor JSON (415), recording nothing', async () => {
      // Prepare
      const before = (await table.scanAll()).length;

      // Act
      const responses = await Promise.all([
        call(event('POST', tokenFor('acct-rep2'), { body: 'option=accept', headers: { 'sec-fetch-site': 'cross-site' } })),
        call(event('POST', tokenFor('acct-rep2'), { body: 'option=accept', headers: { origin: 'http://evil.example', accept: 'application/json' } })),
        call(event('POST', tokenFor('acct-rep2'), { body: 'option=accept', headers: { 'content-type': 'text/plain' } })),
        call(event('POST', tokenFor('acct-rep2'), { body: '--x\r\nContent-Disposition: form-data; name="option"\r\n\r\naccept\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } })),
        call(event('POST', tokenFor('acct-rep2'), { body: 'option=accept', headers: { 'sec-fetch-site': 'same-origin', origin: 'https://localhost' } })),
      ]);

      // Assess: the last is a same-origin form post (the request's own host)
      expect(responses.map((r) => r.statusCode)).toEqual([403, 403, 415, 415, 200]);
      expect(responses[0]?.body).toContain('This choice was not sent from our page');
      expect(JSON.parse(responses[1]?.body ?? '{}')).toMatchObject({ status: 403 });
      expect((await table.scanAll()).length).toBeGreaterThan(before);
      const evidence = (await table.scanAll()).filter((item) => item['accountId'] === 'acct-rep2' && String(item['sk']).startsWith('EV#CHO#'));
      expect(evidence).toHaveLength(1);
    });

    it('answers 410 in the recipient language once the account accepted the version, recording nothing', async () => {
      // Prepare: acct-acc accepts version 2 after being emailed
      await table.store.advanceState({
        kind: 'acceptance', accountId: 'acct-acc', noticeId: 'privacy', version: 2, region: 'jp', language: 'ja',
        contentHash: 'b'.repeat(64), at: '2026-11-20T00:00:00.000Z', source: { channel: 'api' },
      });

      // Act
      const page = await call(event('POST', tokenFor('acct-acc'), { body: 'option=accept' }));
      const problem = await call(event('POST', tokenFor('acct-acc'), { body: 'option=accept', headers: { accept: 'application/json' } }));

      // Assess
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('<html lang="ja"');
      expect(page.body).toContain('このバージョンにはすでに同意いただいています');
      expect(JSON.parse(problem.body ?? '{}')).toMatchObject({ status: 410, detail: expect.stringContaining('accepted this version') });
      expect((await table.store.getState('acct-acc', 'privacy'))?.choice).toBeUndefined();
    });

    it('a genuine token of a campaign that never emailed the account records nothing (404)', async () => {
      // Act
      const response = await call(event('POST', tokenFor('acct-fr', 'privacy-v2-other'), { body: 'option=accept' }));
      const get = await call(event('GET', tokenFor('acct-fr', 'privacy-v2-other')));

      // Assess
      expect(response.statusCode).toBe(404);
      expect(get.statusCode).toBe(404);
      expect((await table.store.getState('acct-fr', 'privacy'))?.choice).toBeUndefined();
      expect((await counters('privacy-v2-other'))?.choice_accept ?? 0).toBe(0);
    });

    it('refuses a choice after the deadline with a 410 page and records nothing', async () => {
      // Prepare
      clock.set(DEADLINE);
      const before = await table.scanAll();

      // Act
      const page = await call(event('POST', tokenFor('acct-jp'), { body: 'option=accept', headers: { 'accept-language': 'ja' } }));
      const problem = await call(event('POST', tokenFor('acct-jp'), { body: 'option=accept', headers: { accept: 'application/json' } }));

      // Assess
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('このご選択の期限は過ぎています');
      expect(page.headers?.['Content-Language']).toBe('ja');
      expect(problem.statusCode).toBe(410);
      expect(problem.headers?.['Content-Type']).toBe('application/problem+json');
      expect(await table.scanAll()).toEqual(before);
    });

    it('after the deadline, a GET shows the choice that was recorded, in the recipient language', async () => {
      clock.set('2027-02-02T00:00:00.000Z');

      const page = await call(event('GET', tokenFor('acct-de'), { headers: { 'accept-language': 'ja' } }));

      expect(page.statusCode).toBe(410);
      expect(page.headers?.['Content-Language']).toBe('en');
      expect(page.body).toContain('Your recorded choice: <strong>Delete the information you already hold about me</strong>');
    });

    it('refuses tampered, wrong-key and unknown-campaign tokens, and an option not offered, without a 5xx or a write', async () => {
      // Prepare
      const good = tokenFor('acct-jp');
      const tampered = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11);
      const otherKey = signChoiceToken({ campaignId: 'privacy-v2', accountId: 'acct-jp', expiresAt: DEADLINE }, new Uint8Array(32).fill(7));
      const before = await table.scanAll();

      // Act
      const responses = await Promise.all([
        call(event('POST', tampered, { body: 'option=accept' })),
        call(event('POST', otherKey, { body: 'option=accept' })),
        call(event('POST', tokenFor('acct-jp', 'privacy-v9'), { body: 'option=accept' })),
        call(event('POST', good, { body: 'option=sell-it' })),
        call(event('POST', good, { body: '' })), // no body, so no content type: 415
        call(event('POST', good, { body: '{"option":', headers: { 'content-type': 'application/json', accept: 'application/json' } })),
        call(event('POST', tampered, { body: 'option=accept', headers: { accept: 'application/problem+json' } })),
      ]);

      // Assess
      expect(responses.map((r) => r.statusCode)).toEqual([403, 403, 404, 400, 415, 400, 403]);
      expect(responses[0]?.body).toContain('This link does not work');
      expect(responses[6]?.headers?.['Content-Type']).toBe('application/problem+json');
      expect(JSON.parse(responses[6]?.body ?? '{}')).toMatchObject({ status: 403, title: 'Invalid or expired link' });
      expect(await table.scanAll()).toEqual(before);
    });
  });
});
