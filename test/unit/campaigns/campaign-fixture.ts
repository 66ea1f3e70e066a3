/** The campaign the campaign use-case tests share: privacy v2, a choice in the EEA and an informational email in the US. */
import type { Campaign } from '../../../functions/campaigns/model.ts';

/** That campaign, with `overrides` (a test that needs other regions or dates says so here). */
export const campaignOf = (overrides: Partial<Campaign> = {}): Campaign => ({
  campaignId: 'privacy-v2',
  noticeId: 'privacy',
  version: 2,
  deadline: '2027-02-01T00:00:00.000Z',
  regions: [
    { region: 'eea', notification: 'choice', options: ['accept', 'delete'] },
    { region: 'us', notification: 'informational', options: [] },
  ],
  createdAt: '2026-11-01T00:00:00.000Z',
  status: 'started',
  ...overrides,
});
