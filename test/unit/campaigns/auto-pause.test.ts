import { describe, expect, it } from 'vitest';
import { DEFAULT_REPUTATION_THRESHOLDS, guardReputation, reputationVerdict } from '../../../functions/campaigns/auto-pause.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { InMemoryCampaignStore } from '../../fakes/campaign-store.ts';
import { campaignOf } from './campaign-fixture.ts';

describe('Function: reputationVerdict', () => {
  it('stays quiet below the sample size and the thresholds, well below SES’s 5 % / 0.1 %', () => {
    expect(DEFAULT_REPUTATION_THRESHOLDS.bounceRatio).toBeLessThan(0.05);
    expect(DEFAULT_REPUTATION_THRESHOLDS.complaintRatio).toBeLessThan(0.001);
    expect(reputationVerdict({ sent: 100, bounced: 50, complained: 0 }, DEFAULT_REPUTATION_THRESHOLDS)).toBeUndefined();
    expect(reputationVerdict({ sent: 1000, bounced: 25, complained: 0 }, DEFAULT_REPUTATION_THRESHOLDS)).toBeUndefined();
  });
  it('names the ratio that passed', () => {
    expect(reputationVerdict({ sent: 1000, bounced: 26, complained: 0 }, DEFAULT_REPUTATION_THRESHOLDS)).toMatch(/^bounce ratio 2\.60 % \(26\/1000\) above 2\.50 %/);
    expect(reputationVerdict({ sent: 10_000, bounced: 0, complained: 6 }, DEFAULT_REPUTATION_THRESHOLDS)).toMatch(/^complaint ratio 0\.06 % \(6\/10000\) above 0\.05 %/);
  });
});

describe('Function: guardReputation', () => {
  it('pauses a running campaign once, with the reason', async () => {
    const store = new InMemoryCampaignStore([campaignOf({ status: 'started' })]);
    await store.addCounters('privacy-v2', 0, { sent: 400, bounced: 20 });
    const deps = { store, clock: fixedClock('2026-12-01T00:00:00.000Z') };
    expect(await guardReputation(deps, 'privacy-v2')).toBe(true);
    expect((await store.getCampaign('privacy-v2'))?.run).toMatchObject({ status: 'paused', reason: expect.stringMatching(/^bounce ratio 5\.00 %/) });
    expect(await guardReputation(deps, 'privacy-v2')).toBe(false);
  });
});
