/**
 * Generated bad (and some good) input over the choice routes, in process: 10,000 requests, zero
 * 5xx, errors as problem+json for API clients and HTML pages for browsers, no stack trace, and —
 * over the GETs — not a single write. The ports are in-memory fakes that count writes: this test
 * is about the HTTP surface and must stay fast; the DynamoDB side is proven against a real engine
 * in test/handler/choices.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChoiceDeps, RecordedChoice } from '../../functions/campaigns/choices.ts';
import { InMemoryChoicePublisher } from '../../functions/campaigns/events.ts';
import type { Campaign, RecipientRecord } from '../../functions/campaigns/model.ts';
import { recipientId } from '../../functions/campaigns/ports.ts';
import { staticTokenKey } from '../../functions/campaigns/token-key.ts';
import { makeHandler } from '../../functions/lambdas/choices.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { CHOICE_OPTION_IDS } from '../../functions/core/choice-options.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';
import { signChoiceToken } from '../../functions/core/tokens.ts';
import type { AcceptanceState, EvidenceRecord } from '../../functions/ledger/types.ts';

const GETS = 5_000;
const POSTS = 5_000;
const BATCH = 100;
const DEADLINE = '2027-02-01T00:00:00.000Z';
const key = new Uint8Array(randomBytes(32));
const sign = (campaignId: string, accountId: string, expiresAt = DEADLINE) => signChoiceToken({ campaignId, accountId, expiresAt }, key);

const validTokens = [sign('privacy-v2', 'acct-a'), sign('privacy-v2', 'acct-b'), sign('privacy-v2', 'acct-unknown'), sign('privacy-v9', 'acct-a')];
const expiredToken = sign('privacy-v2', 'acct-a', '2026-01-01T00:00:00.000Z');

const tokens = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...validTokens, expiredToken) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...validTokens), fc.nat(200), fc.string({ minLength: 1, maxLength: 3 })).map(([t, at, s]) => t.slice(0, at % t.length) + s + t.slice((at % t.length) + 1)) },
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', 'v1', 'v1..', 'v1.a.b', '..', '%', 'x'.repeat(5000), '\u0000', '__proto__', 'v1.eyJ9.x'),
);
const options = fc.oneof(fc.constantFrom(...CHOICE_OPTION_IDS), fc.constantFrom('', 'ACCEPT', 'keep_previous', 'sell'), fc.string({ maxLength: 50 }));
const bodies = fc.oneof(
  { weight: 3, arbitrary: options.map((option) => `option=${encodeURIComponent(option)}`) },
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })).map((d) => new URLSearchParams(d).toString()),
  options.map((option) => JSON.stringify({ option })),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 300 }),
  fc.constantFrom('option=accept&option=delete', '{', 'null', 'option=%E0%A4%A', 'x'.repeat(10_000)),
);
const headers = fc.record(
  {
    accept: fc.oneof(fc.constantFrom('text/html', 'application/json', 'application/problem+json', '*/*', 'text/html;q=0.1, application/json', ''), fc.string({ maxLength: 100 })),
    'accept-language': fc.oneof(fc.constantFrom('ja-JP', 'en', 'ko;q=1, ja;q=0.2', '*'), fc.string({ maxLength: 100 })),
    'content-type': fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data'),
    'user-agent': fc.string({ maxLength: 2000 }),
    'sec-fetch-site': fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'),
    origin: fc.oneof(fc.constantFrom('http://evil.example', 'null', 'https://example.com'), fc.string({ maxLength: 50 })),
  },
  { requiredKeys: [] },
);

const event = (method: string, token: string, query: Record<string, string>, hdrs: Record<string, string>, body?: string, base64 = false) =>
  httpEvent({
    method,
    path: `/choices/${encodeURIComponent(token)}`,
    contextPath: '/choices/x',
    routeKey: `${method} /choices/{token}`,
    headers: hdrs,
    query,
    pathParameters: { token },
    sourceIp: '2001:db8::1',
    userAgent: hdrs['user-agent'] ?? '',
    ...(body !== undefined ? { body: base64 ? Buffer.from(body).toString('base64') : body } : {}),
    isBase64Encoded: base64,
  });

const checkResponse = (response: APIGatewayProxyStructuredResultV2, request: unknown): void => {
  const status = response.statusCode ?? 0;
  const contentType = String(response.headers?.['Content-Type'] ?? '');
  const body = String(response.body ?? '');
  const context = JSON.stringify(request).slice(0, 500);
  expect(status, context).toBeGreaterThanOrEqual(200);
  expect(status, context).toBeLessThan(500);
  expect(body, context).not.toMatch(/\bat .+\.(ts|js):\d+/);
  if (status >= 400) {
    expect(contentType, context).toMatch(/^(application\/problem\+json|text\/html; charset=utf-8)$/);
    if (contentType === 'application/problem+json') expect(JSON.parse(body), context).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  }
  expect(response.headers?.['Cache-Control'], context).toBe('no-store');
};

const campaign: Campaign = {
  campaignId: 'privacy-v2',
  noticeId: 'privacy',
  version: 2,
  deadline: DEADLINE,
  regions: [{ region: 'eea', notification: 'choice', options: CHOICE_OPTION_IDS }],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
};

/** In-memory ports with a log of every write. */
const fakePorts = () => {
  const writes: { port: string; accountId: string; detail: unknown }[] = [];
  const states = new Map<string, AcceptanceState>(
    ['acct-a', 'acct-b'].map((accountId) => [
      accountId,
      { accountId, noticeId: 'privacy', acceptedVersion: 1, acceptedAt: '2026-04-01T00:00:00.000Z', contentHash: 'a'.repeat(64), region: 'eea', language: 'en' },
    ]),
  );
  const sent = (accountId: string): RecipientRecord => ({ campaignId: campaign.campaignId, accountId, notice: { status: 'sent' }, reminder: {} });
  const deps: Pick<ChoiceDeps, 'campaigns' | 'ledger' | 'choices' | 'outbox'> = {
    campaigns: {
      getCampaign: async (id) => (id === campaign.campaignId ? campaign : undefined),
      addCounters: async (id, shard, deltas) => void writes.push({ port: 'counters', accountId: id, detail: { shard, deltas } }),
    },
    ledger: {
      getState: async (accountId) => states.get(accountId),
      appendEvidence: async (accountId, _noticeId, evidence: EvidenceRecord) => {
        writes.push({ port: 'evidence', accountId, detail: evidence });
        return true;
      },
      recordChoice: async (accountId, _noticeId, choice: RecordedChoice) => {
        writes.push({ port: 'state', accountId, detail: choice });
        return { applied: true };
      },
      getChoiceEvidence: async () => undefined,
    },
    outbox: {
      add: async (entry) => void writes.push({ port: 'outbox', accountId: entry.accountId, detail: entry }),
      remove: async (entry) => void writes.push({ port: 'outbox-remove', accountId: entry.accountId, detail: entry }),
      page: async () => ({ entries: [] }),
    },
    choices: {
      markRecipient: async (_campaignId, accountId, choice) => {
        writes.push({ port: 'recipient', accountId, detail: choice });
        return true;
      },
      // Only the two known accounts were emailed.
      getRecipients: async (keys) =>
        new Map(keys.filter((k) => ['acct-a', 'acct-b'].includes(k.accountId)).map((k) => [recipientId(k.campaignId, k.accountId), sent(k.accountId)])),
    },
  };
  return { deps, writes };
};

describe('Fuzz: choice routes', () => {
  const { deps, writes } = fakePorts();
  const events = new InMemoryChoicePublisher();
  const handler = makeHandler({
    ...deps,
    content: compiledContent,
    clock: fixedClock('2026-12-01T09:00:00.000Z'),
    logger: new Logger({ serviceName: 'choices', logLevel: 'SILENT' }),
    tokenKey: staticTokenKey(key),
    events,
  });

  it(`${GETS} generated GETs: no 5xx, no stack, and not a single write`, async () => {
    // Prepare
    const requests = fc.sample(fc.tuple(tokens, fc.dictionary(fc.constantFrom('option', 'x', 'token'), options, { maxKeys: 2 }), headers), { numRuns: GETS, seed: 7 });

    // Act / Assess
    let ok = 0;
    for (let offset = 0; offset < requests.length; offset += BATCH) {
      const batch = requests.slice(offset, offset + BATCH);
      const responses = await Promise.all(batch.map(([token, query, hdrs]) => handler(event('GET', token, query, hdrs), lambdaContext())));
      responses.forEach((response, index) => checkResponse(response, batch[index]));
      ok += responses.filter((response) => response.statusCode === 200).length;
    }
    expect(ok).toBeGreaterThan(GETS / 10);
    expect(writes).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it(`${POSTS} generated POSTs and other methods: no 5xx and no stack; only offered options of known accounts are recorded`, async () => {
    // Prepare
    const requests = fc.sample(fc.tuple(tokens, bodies, headers, fc.boolean(), fc.constantFrom('POST', 'PUT', 'DELETE', 'POST', 'POST')), { numRuns: POSTS, seed: 11 });

    // Act / Assess
    for (let offset = 0; offset < requests.length; offset += BATCH) {
      const batch = requests.slice(offset, offset + BATCH);
      const responses = await Promise.all(batch.map(([token, body, hdrs, base64, method]) => handler(event(method, token, {}, hdrs, body, base64), lambdaContext())));
      responses.forEach((response, index) => checkResponse(response, batch[index]));
    }
    const evidence = writes.filter((write) => write.port === 'evidence');
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence.every((write) => ['acct-a', 'acct-b'].includes(write.accountId))).toBe(true);
    expect(evidence.every((write) => CHOICE_OPTION_IDS.includes((write.detail as { option: never }).option))).toBe(true);
    expect(events.events.length).toBe(evidence.length);
  });
});
