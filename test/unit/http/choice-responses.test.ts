import { describe, expect, it } from 'vitest';
import { ChoiceClosedError } from '../../../functions/campaigns/choices.ts';
import type { AcceptanceState, ChoiceState } from '../../../functions/ledger/types.ts';
import { InvalidTokenError } from '../../../functions/core/errors.ts';
import { choiceErrorResponse, choiceJsonResponse, type ChoiceErrorDeps } from '../../../functions/http/choice-responses.ts';
import { toProblem } from '../../../functions/http/problem.ts';
import { httpEvent } from '../../fakes/http-event.ts';

const claims = { campaignId: 'privacy-v2', accountId: 'a1', expiresAt: '2027-02-01T00:00:00.000Z' };
const browser = httpEvent({ path: '/choices/t', headers: { 'accept-language': 'en' } });

/** Error-page lookups over one optional account state; the campaign always exists. */
const lookups = (state: AcceptanceState | undefined): ChoiceErrorDeps => ({
  campaigns: {
    getCampaign: async (campaignId) =>
      ({ campaignId, noticeId: 'privacy', version: 2, deadline: claims.expiresAt, regions: [], createdAt: claims.expiresAt, status: 'started' }),
  },
  ledger: { getState: async () => state },
});

describe('Module: choice-responses', () => {
  it('leaves JSON clients to the problem+json boundary', async () => {
    // Act
    const error = new InvalidTokenError('bad link');
    const result = await choiceErrorResponse(lookups(undefined))(error, toProblem(error), httpEvent({ path: '/choices/t', headers: { accept: 'application/json' } }));

    // Assess
    expect(result).toBeUndefined();
  });

  it('answers a browser with the error page of the problem status, with the pages\' security headers', async () => {
    // Act
    const error = new InvalidTokenError('bad link');
    const result = await choiceErrorResponse(lookups(undefined))(error, toProblem(error), browser);

    // Assess
    expect(result?.statusCode).toBe(403);
    expect(result?.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': 'en', 'Cache-Control': 'no-store', Vary: 'Accept, Accept-Language' });
    expect(result?.body).toContain('<html');
  });

  it('shows a closed choice in the recipient\'s language with what was recorded', async () => {
    // Prepare
    const choice: ChoiceState = { campaignId: 'privacy-v2', version: 2, option: 'delete', at: '2026-12-01T09:00:00.000Z', defaulted: false };
    const state: AcceptanceState = { accountId: 'a1', noticeId: 'privacy', acceptedVersion: 1, acceptedAt: '2026-01-01T00:00:00.000Z', contentHash: 'h', region: 'jp', language: 'ja', choice };
    const error = new ChoiceClosedError(claims);

    // Act
    const result = await choiceErrorResponse(lookups(state))(error, toProblem(error), browser);

    // Assess
    expect(result?.statusCode).toBe(410);
    expect(result?.headers?.['Content-Language']).toBe('ja');
  });

  it('answers JSON with the pages\' headers and Vary: Accept', () => {
    expect(choiceJsonResponse(200, { a: 1 }).headers).toMatchObject({ 'Content-Type': 'application/json', Vary: 'Accept', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  });
});
