import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_SCOPE } from '../../functions/http/principal.ts';
import { startLedgerApi, variantOf, type LedgerApi } from './engines.ts';

const ACCOUNT = 'acct-concurrent';
const CANDIDATES = [
  variantOf(1, 'eea', 'en'),
  variantOf(1, 'eea', 'ja'),
  variantOf(1, 'jp', 'ja'),
  variantOf(1, 'global', 'en'),
  variantOf(2, 'eea', 'en'),
  variantOf(2, 'jp', 'ja'),
  variantOf(2, 'global', 'en'),
];

describe('Ledger under 100 concurrent acceptances for one account', () => {
  let api: LedgerApi;
  beforeAll(async () => {
    api = await startLedgerApi();
  });
  afterAll(async () => api?.stop());

  it('converges on the newest version and keeps every distinct acceptance exactly once', async () => {
    // Prepare: a seeded mix of versions, regions and languages with many duplicates.
    const picks = fc.sample(fc.integer({ min: 0, max: CANDIDATES.length - 1 }), { numRuns: 100, seed: 20261129 });
    const token = await api.authorizer.sign({ sub: 'concurrency-service', scope: SERVICE_SCOPE });

    // Act: all at once, through the gateway.
    const responses = await Promise.all(
      picks.map((index) => api.call('POST', `/v1/accounts/${ACCOUNT}/acceptances`, { token, body: CANDIDATES[index] })),
    );
    const status = await api.call('GET', `/v1/accounts/${ACCOUNT}/notices/privacy/status`, { token });
    const evidence = (await api.table.scanAll()).filter((item) => item['pk'] === `ACCT#${ACCOUNT}` && String(item['sk']).startsWith('EV#'));

    // Assess
    const distinct = [...new Set(picks)].map((index) => CANDIDATES[index]!);
    expect(responses.map((response) => response.status).every((code) => code === 200 || code === 201)).toBe(true);
    expect(responses.filter((response) => response.status === 201)).toHaveLength(distinct.length);
    for (const variant of distinct) {
      const answers = responses.filter((response) => response.body['contentHash'] === variant.contentHash);
      // Every answer for the same variant is the one record that was stored.
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    }
    expect(evidence).toHaveLength(distinct.length);
    expect(evidence.map((item) => item['contentHash']).sort()).toEqual(distinct.map((variant) => variant.contentHash).sort());

    expect(status.body['acceptedVersion']).toBe(2);
    const current = variantOf(2, String(status.body['region']), String(status.body['language']));
    expect(status.body['contentHash']).toBe(current.contentHash);
    const state = (await api.table.scanAll()).find((item) => item['pk'] === `ACCT#${ACCOUNT}` && item['sk'] === 'STATE#privacy');
    expect(state?.['gsi1sk']).toBe(`000002#${ACCOUNT}`);
    // A generous budget: DynamoDB Local on a loaded CI machine is slow to absorb 100 requests at once.
  }, 120_000);
});
