/** The campaign auto-pause thresholds reach the SES-events guard from its environment (`AUTO_PAUSE_*`, set by lib/functions.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REPUTATION_THRESHOLDS } from '../../functions/campaigns/auto-pause.ts';
import { defaultDeps } from '../../functions/lambdas/ses-events.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('ses-events defaultDeps: auto-pause thresholds', () => {
  it('guards the campaigns with the thresholds of its environment', async () => {
    vi.stubEnv('TABLE_NAME', 'ledger');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AUTO_PAUSE_BOUNCE_RATIO', '0.01');
    vi.stubEnv('AUTO_PAUSE_COMPLAINT_RATIO', '0.0002');
    vi.stubEnv('AUTO_PAUSE_MIN_SENT', '1000');
    const deps = await defaultDeps();
    expect(deps.reputation?.thresholds).toEqual({ bounceRatio: 0.01, complaintRatio: 0.0002, minSent: 1000 });
  });

  it('keeps the code defaults when the variables are absent (2.5 %, 0.05 %, 200 sends)', async () => {
    vi.stubEnv('TABLE_NAME', 'ledger');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const deps = await defaultDeps();
    expect(deps.reputation?.thresholds).toEqual(DEFAULT_REPUTATION_THRESHOLDS);
  });
});
