/**
 * The evidence rules over the wire (local gateway, JWT authoriser, real DynamoDB-compatible engine):
 * erasure tombstones, imports with their original time, context taken from the request, and the
 * history and evidence routes in time order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { viewerAddressFromHeader } from '../../functions/http/request-source.ts';
import { startLedgerApi, variantOf, type LedgerApi } from './engines.ts';

describe('Ledger evidence over the wire', () => {
  let api: LedgerApi;
  let service: string;
  let admin: string;
  const user = (sub: string) => api.authorizer.sign({ sub });

  beforeAll(async () => {
    api = await startLedgerApi();
    service = await api.authorizer.sign({ sub: 'billing', scope: SERVICE_SCOPE });
    admin = await api.authorizer.sign({ sub: 'ops', scope: ADMIN_SCOPE });
  });
  afterAll(async () => api?.stop());

  const contactOf = async (accountId: string) => (await api.table.store.getContacts([accountId])).get(accountId);

  describe('Erasure holds', () => {
    it('a duplicate acceptance after DELETE …/contact answers 200 and never writes the address back', async () => {
      const account = 'acct-erase-1';
      const body = { ...variantOf(1, 'eea', 'en'), email: 'erase1@example.org' };
      expect((await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body })).status).toBe(201);
      expect(await contactOf(account)).toBe('erase1@example.org');
      api.clock.advance(1000);
      expect((await api.call('DELETE', `/v1/accounts/${account}/contact`, { token: service })).status).toBe(204);
      api.clock.advance(1000);
      const again = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body });
      expect(again.status).toBe(200);
      expect(await contactOf(account)).toBeUndefined();
    });

    it('no request made before the erasure sets it again; a later acceptance or PUT does', async () => {
      const account = 'acct-erase-2';
      await api.call('PUT', `/v1/accounts/${account}/contact`, { token: service, body: { email: 'first@example.org' } });
      api.clock.advance(1000);
      await api.call('DELETE', `/v1/accounts/${account}/contact`, { token: service });
      const erasedAt = api.clock.now().toISOString();
      // A request stamped before the erasure (a delayed retry) is refused by the store itself.
      expect(await api.table.store.putContact(account, 'stale@example.org', new Date(Date.parse(erasedAt) - 500).toISOString())).toBe(false);
      // An imported acceptance that happened before the erasure does not bring it back either.
      const imported = await api.call('POST', `/v1/accounts/${account}/acceptances`, {
        token: service,
        body: { ...variantOf(1, 'eea', 'en'), email: 'import@example.org', acceptedAt: '2026-06-01T00:00:00Z' },
      });
      expect(imported.status).toBe(201);
      expect(await contactOf(account)).toBeUndefined();
      api.clock.advance(1000);
      const later = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: { ...variantOf(2, 'eea', 'en'), email: 'later@example.org' } });
      expect(later.status).toBe(201);
      expect(await contactOf(account)).toBe('later@example.org');
      api.clock.advance(1000);
      await api.call('DELETE', `/v1/accounts/${account}/contact`, { token: service });
      api.clock.advance(1000);
      expect((await api.call('PUT', `/v1/accounts/${account}/contact`, { token: service, body: { email: 'put@example.org' } })).status).toBe(204);
      expect(await contactOf(account)).toBe('put@example.org');

      const evidence = await api.call('GET', `/v1/accounts/${account}/evidence`, { token: service });
      const contact = (evidence.body['items'] as { kind: string; event?: string; via?: string; email?: string }[]).filter((item) => item.kind === 'contact');
      expect(contact.map((item) => `${item.event}/${item.via}`)).toEqual(['set/contact', 'erased/contact', 'set/acceptance', 'erased/contact', 'set/contact']);
      expect(evidence.text).not.toContain('@example.org');
      const tombstone = await api.table.store.contactErasedAt(account);
      expect(tombstone).toBeDefined();
    });
  });

  describe('Import (acceptedAt)', () => {
    it('a service records the original time, marked imported, keeping both times; the state moves only forward', async () => {
      const account = 'acct-import';
      const live = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body: variantOf(2, 'jp', 'ja') });
      expect(live.status).toBe(201);
      const imported = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: admin, body: { ...variantOf(1, 'jp', 'ja'), acceptedAt: '2026-04-01T09:30:00+09:00' } });
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({ acceptedAt: '2026-04-01T00:30:00.000Z', imported: true, at: api.clock.now().toISOString() });
      const status = await api.call('GET', `/v1/accounts/${account}/notices/privacy/status`, { token: service });
      expect(status.body['acceptedVersion']).toBe(2);
      // Rerun of the same import: the same record, 200.
      const rerun = await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: admin, body: { ...variantOf(1, 'jp', 'ja'), acceptedAt: '2026-04-01T09:30:00+09:00' } });
      expect(rerun.status).toBe(200);
      expect(rerun.body).toEqual(imported.body);
      // In time order the import (April) comes before the live acceptance (November).
      const history = await api.call('GET', `/v1/accounts/${account}/acceptances`, { token: service });
      expect((history.body['items'] as { version: number }[]).map((item) => item.version)).toEqual([1, 2]);
    });

    it('refuses acceptedAt in the future, malformed, or from an end user (400)', async () => {
      const owner = await user('acct-import-user');
      const future = new Date(api.clock.now().getTime() + 60_000).toISOString();
      const cases = [
        { token: service, acceptedAt: future },
        { token: service, acceptedAt: 'yesterday' },
        { token: owner, acceptedAt: '2026-01-01T00:00:00Z' },
      ];
      for (const { token, acceptedAt } of cases) {
        const response = await api.call('POST', '/v1/accounts/acct-import-user/acceptances', { token, body: { ...variantOf(1, 'eea', 'en'), acceptedAt } });
        expect(response.status).toBe(400);
        expect(response.contentType).toBe('application/problem+json');
      }
    });
  });

  describe('Context from the request', () => {
    it("an end user's acceptance without source takes the viewer address (CloudFront-Viewer-Address) and user agent; channel api", async () => {
      const response = await api.call('POST', '/v1/accounts/acct-context/acceptances', {
        token: await user('acct-context'),
        body: variantOf(1, 'eea', 'en'),
        headers: { 'user-agent': 'ExampleApp/3.1', 'cloudfront-viewer-address': '198.51.100.77:46532' },
      });
      expect(response.status).toBe(201);
      expect(response.body['source']).toEqual({ channel: 'api', ipPrefix: '198.51.100.0/24', userAgent: 'ExampleApp/3.1' });
    });

    it('without the header the source address is used; a service call records only what its body says', async () => {
      const own = await api.call('POST', '/v1/accounts/acct-context-2/acceptances', { token: await user('acct-context-2'), body: variantOf(1, 'eea', 'en'), headers: { 'user-agent': 'UA/1' } });
      expect(own.body['source']).toEqual({ channel: 'api', ipPrefix: '127.0.0.0/24', userAgent: 'UA/1' });
      const bySource = await api.call('POST', '/v1/accounts/acct-context-3/acceptances', { token: service, body: variantOf(1, 'eea', 'en'), headers: { 'user-agent': 'billing-service/2' } });
      expect(bySource.body['source']).toEqual({ channel: 'api' });
    });

    it('parses CloudFront-Viewer-Address for IPv4 and IPv6 and refuses garbage', () => {
      expect(viewerAddressFromHeader('198.51.100.10:46532')).toBe('198.51.100.10');
      expect(viewerAddressFromHeader('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
      expect(viewerAddressFromHeader('[2001:db8::1]:443')).toBe('2001:db8::1');
      expect(viewerAddressFromHeader('not-an-ip:1')).toBeUndefined();
      expect(viewerAddressFromHeader(undefined)).toBeUndefined();
    });
  });

  describe('History and evidence in time order', () => {
    it('pages through the history oldest first, filtered by notice and kind, with cursors bound to the filter', async () => {
      const account = 'acct-history';
      const steps = [variantOf(1, 'eea', 'en'), variantOf(1, 'eea', 'ja'), variantOf(2, 'eea', 'en'), variantOf(2, 'eea', 'ja')];
      for (const body of steps) {
        await api.call('POST', `/v1/accounts/${account}/acceptances`, { token: service, body });
        api.clock.advance(1000);
        await api.call('PUT', `/v1/accounts/${account}/contact`, { token: service, body: { email: 'h@example.org' } });
        api.clock.advance(1000);
      }
      const seen: { kind: string; at: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.call('GET', `/v1/accounts/${account}/acceptances?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: service });
        expect(page.status).toBe(200);
        seen.push(...(page.body['items'] as { kind: string; at: string }[]));
        cursor = page.body['cursor'] as string | undefined;
      } while (cursor);
      expect(seen.map((item) => item.kind)).toEqual(['acceptance', 'contact', 'acceptance', 'contact', 'acceptance', 'contact', 'acceptance', 'contact']);
      expect(seen.map((item) => item.at)).toEqual([...seen.map((item) => item.at)].sort());

      const acceptances = await api.call('GET', `/v1/accounts/${account}/acceptances?kind=acceptance&noticeId=privacy&limit=2`, { token: service });
      expect((acceptances.body['items'] as { version: number; language: string }[]).map((i) => `${i.version}${i.language}`)).toEqual(['1en', '1ja']);
      const foreign = await api.call('GET', `/v1/accounts/${account}/acceptances?kind=contact&cursor=${encodeURIComponent(String(acceptances.body['cursor']))}`, { token: service });
      expect(foreign.status).toBe(400);
      const none = await api.call('GET', `/v1/accounts/${account}/acceptances?noticeId=cookies`, { token: service });
      expect(none.body['items']).toEqual([]);
    });

    it('the evidence route answers the end user for their own account only', async () => {
      const own = await api.call('GET', '/v1/accounts/acct-history/evidence?noticeId=privacy', { token: await user('acct-history') });
      expect(own.status).toBe(200);
      expect((own.body['items'] as unknown[]).length).toBe(8);
      expect((await api.call('GET', '/v1/accounts/acct-history/evidence', { token: await user('someone-else') })).status).toBe(403);
      expect((await api.call('GET', '/v1/accounts/acct-history/evidence?kind=x', { token: service })).status).toBe(400);
    });
  });
});
