import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { AUDIENCE_SHARDS } from '../../functions/ledger/types.ts';
import { shardOf } from '../../functions/ledger/keys.ts';
import { startLedgerApi, variantOf, type LedgerApi } from './engines.ts';

describe(`Ledger over HTTP (${process.env['DYNAMO_ENGINE'] ?? 'dynalite'})`, () => {
  let api: LedgerApi;
  let service: string;

  beforeAll(async () => {
    api = await startLedgerApi();
    service = await api.authorizer.sign({ sub: 'billing-service', scope: SERVICE_SCOPE });
  });
  afterAll(async () => api?.stop());

  describe('POST /v1/accounts/{accountId}/acceptances', () => {
    it('records an acceptance once: 201, then 200 with the same record', async () => {
      // Prepare
      const body = { ...variantOf(1, 'eea', 'en'), source: { channel: 'web', ip: '203.0.113.77', userAgent: 'x'.repeat(600) } };

      // Act
      const first = await api.call('POST', '/v1/accounts/acct-once/acceptances', { token: service, body });
      api.clock.advance(60_000);
      const second = await api.call('POST', '/v1/accounts/acct-once/acceptances', { token: service, body: { ...body, source: { channel: 'app' } } });

      // Assess
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(first.body).toMatchObject({
        kind: 'acceptance',
        accountId: 'acct-once',
        version: 1,
        region: 'eea',
        language: 'en',
        contentHash: body.contentHash,
        source: { channel: 'web', ipPrefix: '203.0.113.0/24' },
      });
      expect((first.body['source'] as { userAgent: string }).userAgent).toHaveLength(256);
      const evidence = (await api.table.scanAll()).filter((item) => item['pk'] === 'ACCT#acct-once' && String(item['sk']).startsWith('EV#'));
      expect(evidence).toHaveLength(1);
    });

    it('truncates an IPv6 source to its /48', async () => {
      const response = await api.call('POST', '/v1/accounts/acct-v6/acceptances', {
        token: service,
        body: { ...variantOf(1, 'jp', 'ja'), source: { channel: 'app', ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348' } },
      });
      expect(response.status).toBe(201);
      expect(response.body['source']).toEqual({ channel: 'app', ipPrefix: '2001:db8:85a3::/48' });
      expect(response.text).not.toContain('7348');
    });

    it.each([
      ['a hash of another variant', { ...variantOf(1, 'eea', 'en'), contentHash: variantOf(1, 'eea', 'ja').contentHash }],
      ['an unpublished version', { ...variantOf(1, 'eea', 'en'), version: 9 }],
      ['a region the notice is not served in', { ...variantOf(1, 'eea', 'en'), region: 'mars' }],
      ['a language the version lacks', { ...variantOf(1, 'eea', 'en'), language: 'fr' }],
      ['an unknown notice', { ...variantOf(1, 'eea', 'en'), noticeId: 'cookies' }],
    ])('refuses %s with 409 and records nothing', async (_case, body) => {
      const response = await api.call('POST', '/v1/accounts/acct-conflict/acceptances', { token: service, body });
      expect(response.status).toBe(409);
      expect(response.contentType).toBe('application/problem+json');
      expect((await api.table.scanAll()).some((item) => item['pk'] === 'ACCT#acct-conflict')).toBe(false);
    });

    it('answers 400 with problem+json for a malformed body and 415 without a JSON content type', async () => {
      const malformed = await api.call('POST', '/v1/accounts/acct-bad/acceptances', { token: service, body: { ...variantOf(1, 'eea', 'en'), version: 'one' } });
      const notJson = await api.call('POST', '/v1/accounts/acct-bad/acceptances', {
        token: service,
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body['errors']).toEqual([expect.objectContaining({ path: 'version' })]);
      expect(notJson.status).toBe(415);
      expect(notJson.contentType).toBe('application/problem+json');
    });

    it('moves the state forward to a newer version and keeps a late older one as evidence only', async () => {
      const account = 'acct-order';
      await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variantOf(2, 'eea', 'en') });
      api.clock.advance(1000);
      const late = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variantOf(1, 'eea', 'en') });
      const status = await api.call('GET', `/v1/accounts/${account}/notices/privacy/status`, { token: service });
      const history = await api.call('GET', `/v1/accounts/${account}/acceptances`, { token: service });

      expect(late.status).toBe(201);
      expect(status.body).toMatchObject({ acceptedVersion: 2, region: 'eea', contentHash: variantOf(2, 'eea', 'en').contentHash });
      expect((history.body['items'] as { version: number }[]).map((item) => item.version).sort()).toEqual([1, 2]);
    });
  });

  describe('GET /v1/accounts/{accountId}/acceptances', () => {
    it('pages through the evidence with an opaque cursor and refuses a tampered one with 400', async () => {
      // Prepare: five distinct acceptances.
      const account = 'acct-pages';
      const variants = [variantOf(1, 'global', 'en'), variantOf(1, 'global', 'ja'), variantOf(1, 'kr', 'en'), variantOf(1, 'kr', 'ja'), variantOf(2, 'kr', 'en')];
      for (const variant of variants) await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variant });

      // Act
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.call('GET', `/v1/accounts/${account}/acceptances?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: service });
        expect(page.status).toBe(200);
        seen.push(...(page.body['items'] as { contentHash: string }[]).map((item) => item.contentHash));
        cursor = page.body['cursor'] as string | undefined;
        pages++;
      } while (cursor && pages < 10);
      const first = await api.call('GET', `/v1/accounts/${account}/acceptances?limit=2`, { token: service });
      const issued = first.body['cursor'] as string;
      const tampered = issued.slice(0, 5) + (issued[5] === 'A' ? 'B' : 'A') + issued.slice(6);
      const foreign = await api.call('GET', `/v1/accounts/acct-other/acceptances?cursor=${encodeURIComponent(issued)}`, { token: service });
      const edited = await api.call('GET', `/v1/accounts/${account}/acceptances?cursor=${encodeURIComponent(tampered)}`, { token: service });
      const badLimit = await api.call('GET', `/v1/accounts/${account}/acceptances?limit=500`, { token: service });

      // Assess
      expect(seen.sort()).toEqual(variants.map((variant) => variant.contentHash).sort());
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(edited.status).toBe(400);
      expect(edited.contentType).toBe('application/problem+json');
      expect(foreign.status).toBe(400);
      expect(badLimit.status).toBe(400);
    });
  });

  describe('GET /v1/accounts/{accountId}/notices/{noticeId}/status', () => {
    it('reports accepted and latest version (injected clock) and what governs', async () => {
      await api.call('POST', '/v1/accounts/acct-status/acceptances', { token: service, body: variantOf(1, 'jp', 'en') });
      const status = await api.call('GET', '/v1/accounts/acct-status/notices/privacy/status', { token: service });
      const never = await api.call('GET', '/v1/accounts/acct-never/notices/privacy/status', { token: service });
      const unknown = await api.call('GET', '/v1/accounts/acct-status/notices/cookies/status', { token: service });

      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        accountId: 'acct-status',
        acceptedVersion: 1,
        latestVersion: 1,
        latestEffectiveDate: '2026-03-01',
        region: 'jp',
        pendingChoice: null,
        choice: null,
        governs: [{ version: 1, forDataCollected: {} }],
      });
      expect(never.body).toMatchObject({ acceptedVersion: null, latestVersion: 1, governs: [] });
      expect(unknown.status).toBe(404);
    });

    it('reports a pending choice from the notified fields the campaigns write', async () => {
      const account = 'acct-notified';
      await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variantOf(1, 'eea', 'en') });
      await api.table.documentClient.send(
        new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
          TableName: api.table.tableName,
          Key: { pk: `ACCT#${account}`, sk: 'STATE#privacy' },
          UpdateExpression: 'SET notified = :notified',
          ExpressionAttributeValues: {
            ':notified': { campaignId: 'cmp-1', version: 2, deadline: '2027-02-01T00:00:00.000Z', options: ['accept', 'keep-previous', 'delete'], at: '2026-11-29T12:00:00.000Z' },
          },
        }),
      );
      const status = await api.call('GET', `/v1/accounts/${account}/notices/privacy/status`, { token: service });
      expect(status.body['pendingChoice']).toEqual({ campaignId: 'cmp-1', version: 2, deadline: '2027-02-01T00:00:00.000Z', options: ['accept', 'keep-previous', 'delete'] });
    });

    it('derives the pending choice from the campaign\'s sent mark, with no write on the state item', async () => {
      // Prepare: a started campaign of version 2 that sent this account its notice
      const account = 'acct-derived';
      await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variantOf(1, 'eea', 'en') });
      const { DynamoDbCampaignStore } = await import('../../functions/campaigns/dynamodb/campaign-store.ts');
      const { DynamoDbRecipientStore } = await import('../../functions/campaigns/dynamodb/recipient-store.ts');
      const table = { tableName: api.table.tableName, client: api.table.documentClient };
      const deadline = '2027-02-01T00:00:00.000Z';
      await new DynamoDbCampaignStore(table).createCampaign({
        campaignId: 'privacy-v2',
        noticeId: 'privacy',
        version: 2,
        deadline,
        regions: [{ region: 'eea', notification: 'choice', options: ['accept', 'delete'] }],
        createdAt: '2026-11-01T00:00:00.000Z',
        status: 'started',
      });
      const recipients = new DynamoDbRecipientStore(table);
      const before = await api.call('GET', `/v1/accounts/${account}/notices/privacy/status`, { token: service });
      await recipients.claimRecipient({ campaignId: 'privacy-v2', accountId: account, kind: 'notice', attemptId: 'a', region: 'eea', language: 'en', now: 0, leaseMs: 1, inDoubtGraceMs: 0 });
      const stateBefore = (await api.table.scanAll()).find((item) => item['pk'] === `ACCT#${account}` && item['sk'] === 'STATE#privacy');

      // Act
      await recipients.markSent('privacy-v2', account, 'notice', 'a', 'm-derived', '2026-11-29T12:00:00.000Z');
      const after = await api.call('GET', `/v1/accounts/${account}/notices/privacy/status`, { token: service });

      // Assess
      expect(before.body['pendingChoice']).toBeNull();
      expect(after.body['pendingChoice']).toEqual({ campaignId: 'privacy-v2', version: 2, deadline, options: ['accept', 'delete'] });
      expect((await api.table.scanAll()).find((item) => item['pk'] === `ACCT#${account}` && item['sk'] === 'STATE#privacy')).toEqual(stateBefore);
    });
  });

  describe('PUT and DELETE /v1/accounts/{accountId}/contact', () => {
    it('keeps the email only in the CONTACT item and leaves none anywhere after DELETE', async () => {
      // Prepare
      const account = 'acct-contact';
      const email = 'erase.me@example.org';
      const put = await api.call('PUT', `/v1/accounts/${account}/contact`, { token: service, body: { email } });
      const accepted = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: { ...variantOf(1, 'ca', 'en'), email: 'second.address@example.org' } });
      const holding = (await api.table.scanAll()).filter((item) => JSON.stringify(item).includes('@'));

      // Act
      const erased = await api.call('DELETE', `/v1/accounts/${account}/contact`, { token: service });
      const after = await api.table.scanAll();

      // Assess
      expect(put.status).toBe(204);
      expect(accepted.status).toBe(201);
      expect(accepted.text).not.toContain('@');
      expect(holding.map((item) => item['sk'])).toEqual(['CONTACT']);
      expect(holding[0]?.['email']).toBe('second.address@example.org');
      expect(erased.status).toBe(204);
      expect(after.filter((item) => item['pk'] === `ACCT#${account}`).length).toBeGreaterThan(0);
      expect(after.filter((item) => JSON.stringify(item).includes('@'))).toEqual([]);
    });

    it('refuses an invalid email with 400 and does not echo it', async () => {
      const response = await api.call('PUT', '/v1/accounts/acct-contact-bad/contact', { token: service, body: { email: 'not-an-email@' } });
      expect(response.status).toBe(400);
      expect(response.text).not.toContain('not-an-email');
    });
  });

  describe('Contract functions for the campaigns', () => {
    it('finds the audience below a version in a region, shard by shard, paginated, and its contacts', async () => {
      // Prepare: 40 accounts in eea at v1, 5 at v2, 5 in jp at v1.
      const store = api.table.store;
      const admin = await api.authorizer.sign({ sub: 'ops', scope: ADMIN_SCOPE });
      const make = async (id: string, version: number, region: string) => {
        await api.call('POST', `/v1/accounts/${id}/acceptances`, { token: admin, body: { ...variantOf(version, region, 'ja'), email: `${id}@example.org` } });
      };
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => make(`aud-eea-${i}`, 1, 'eea')),
        ...Array.from({ length: 5 }, (_, i) => make(`aud-eea-new-${i}`, 2, 'eea')),
        ...Array.from({ length: 5 }, (_, i) => make(`aud-jp-${i}`, 1, 'jp')),
      ]);

      // Act
      const found: string[] = [];
      const shardsUsed = new Set<number>();
      for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
        let cursor: string | undefined;
        do {
          const page = await store.queryAudience({ noticeId: 'privacy', region: 'eea', shard, belowVersion: 2, limit: 3, ...(cursor ? { cursor } : {}) });
          // Other tests share the table: only this test's accounts are asserted on.
          for (const member of page.members.filter((candidate) => candidate.accountId.startsWith('aud-'))) {
            expect(member).toMatchObject({ region: 'eea', language: 'ja', acceptedVersion: 1 });
            expect(shardOf(member.accountId)).toBe(shard);
            shardsUsed.add(shard);
            found.push(member.accountId);
          }
          cursor = page.cursor;
        } while (cursor);
      }
      const contacts = await store.getContacts(found.filter((id) => id.startsWith('aud-eea-')).slice(0, 3).concat(['nobody']));

      // Assess
      const expected = Array.from({ length: 40 }, (_, i) => `aud-eea-${i}`);
      expect(found.filter((id) => id.startsWith('aud-')).sort()).toEqual(expected.sort());
      expect(shardsUsed.size).toBeGreaterThan(8);
      expect(contacts.size).toBe(3);
      for (const [id, email] of contacts) expect(email).toBe(`${id}@example.org`);
    }, 120_000);

    it('appends campaign evidence once per identity and shows it in the history', async () => {
      const store = api.table.store;
      const notification = { kind: 'notification', event: 'sent', campaignId: 'cmp-9', messageId: 'msg-1', version: 2, channel: 'email', at: '2026-11-29T12:00:00.000Z' } as const;
      const first = await store.appendEvidence('acct-evidence', 'privacy', notification);
      const again = await store.appendEvidence('acct-evidence', 'privacy', notification);
      const history = await api.call('GET', '/v1/accounts/acct-evidence/acceptances', { token: service });

      expect([first, again]).toEqual([true, false]);
      expect(history.body['items']).toEqual([expect.objectContaining({ kind: 'notification', campaignId: 'cmp-9', noticeId: 'privacy' })]);
    });
  });
});
