/**
 * A campaign's own reputation guard: SES reviews an account whose bounce rate passes 5 % or whose
 * complaint rate passes 0.1 %, which would stop every campaign and transactional mail with it. The
 * SES-events handler compares the campaign's counters with thresholds well below those after every
 * batch that added a bounce or a complaint, and pauses the campaign (run state `paused` with the
 * reason) before SES has to. An operator resumes it after looking at the list (runbook §3b).
 */
import type { Clock } from '../core/clock.ts';
import type { CampaignMetrics } from './metrics.ts';
import type { Counters } from './model.ts';
import type { CampaignControlStore, CampaignStore } from './ports.ts';

export interface ReputationThresholds {
  /** Bounces / sent above which the campaign pauses. @default 0.025 (half SES's 5 % review rate) */
  readonly bounceRatio: number;
  /** Complaints / sent above which the campaign pauses. @default 0.0005 (half SES's 0.1 %) */
  readonly complaintRatio: number;
  /** Sent notices before a ratio is judged (one early bounce is not a rate). @default 200 */
  readonly minSent: number;
}

export const DEFAULT_REPUTATION_THRESHOLDS: ReputationThresholds = { bounceRatio: 0.025, complaintRatio: 0.0005, minSent: 200 };

const percent = (ratio: number): string => `${(ratio * 100).toFixed(2)} %`;

/** Why the counters say the campaign should stop, or undefined. */
export const reputationVerdict = (counters: Pick<Counters, 'sent' | 'bounced' | 'complained'>, thresholds: ReputationThresholds): string | undefined => {
  if (counters.sent < thresholds.minSent || counters.sent === 0) return undefined;
  const bounces = counters.bounced / counters.sent;
  if (bounces > thresholds.bounceRatio) return `bounce ratio ${percent(bounces)} (${counters.bounced}/${counters.sent}) above ${percent(thresholds.bounceRatio)}: paused before SES's account review`;
  const complaints = counters.complained / counters.sent;
  if (complaints > thresholds.complaintRatio) {
    return `complaint ratio ${percent(complaints)} (${counters.complained}/${counters.sent}) above ${percent(thresholds.complaintRatio)}: paused before SES's account review`;
  }
  return undefined;
};

export interface ReputationGuardDeps {
  readonly store: Pick<CampaignStore, 'snapshot'> & Pick<CampaignControlStore, 'setRunState'>;
  readonly clock: Clock;
  readonly thresholds?: ReputationThresholds;
  readonly metrics?: CampaignMetrics;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Pause a running campaign whose own ratios passed the thresholds; true when this call paused it. */
export const guardReputation = async (deps: ReputationGuardDeps, campaignId: string): Promise<boolean> => {
  const snapshot = await deps.store.snapshot(campaignId);
  if (!snapshot) return false;
  const reason = reputationVerdict(snapshot.counters, deps.thresholds ?? DEFAULT_REPUTATION_THRESHOLDS);
  if (!reason) return false;
  const { moved } = await deps.store.setRunState(campaignId, 'pause', deps.clock.now().toISOString(), reason);
  if (moved) {
    deps.log?.('campaign paused automatically', { campaignId, reason });
    deps.metrics?.count(campaignId, 'autoPaused', 1);
  }
  return moved;
};
