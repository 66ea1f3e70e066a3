/**
 * A blocked campaign (the sender met a configuration fault: `send-chunk.ts`) is tried again by
 * the scheduler: when every SES readiness check passes, it resumes, and its parked sends go out
 * again; should SES still refuse them, the sender blocks it once more, with the reason. A blocked
 * campaign never marks a recipient failed, so nothing is lost while it waits.
 */
import type { Campaign } from './model.ts';
import { type CampaignControlDeps, controlCampaign } from './control.ts';
import { type ReadinessReport, readinessSummary } from './ses-readiness.ts';

export interface RetryBlockedDeps {
  readonly readiness: () => Promise<ReadinessReport>;
  readonly control: CampaignControlDeps;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** The run reason of a campaign the scheduler let go again. */
export const UNBLOCKED_REASON = 'SES readiness checks passed: sending again';

/** Check SES and resume the blocked campaign if it is ready; true when it resumed. */
export const retryBlockedCampaign = async (deps: RetryBlockedDeps, campaign: Campaign): Promise<boolean> => {
  const report = await deps.readiness();
  if (!report.ready) {
    deps.log('campaign still blocked', { campaignId: campaign.campaignId, reason: campaign.run?.reason, failed: readinessSummary(report) });
    return false;
  }
  await controlCampaign(deps.control, campaign.campaignId, 'resume', UNBLOCKED_REASON);
  deps.log('blocked campaign resumed', { campaignId: campaign.campaignId });
  return true;
};
