/**
 * Campaign health as metrics: the port the campaign engine counts through, and which counter
 * transitions become which metric. Every metric carries the campaign as a dimension (plus `reason`
 * for failures, `option` for choices). The adapter (`powertools-metrics.ts`) writes CloudWatch
 * embedded-metric-format lines; tests capture them.
 */
import { CHOICE_OPTIONS } from '../core/choice-options.ts';
import type { Counters } from './model.ts';

/** The metric names, each documented where the dashboard and alarms read them (`lib/observability.ts`). */
export const CAMPAIGN_METRICS = ['sent', 'failed', 'delivered', 'bounced', 'complained', 'reminded', 'choices', 'defaulted', 'sesThrottled', 'pacerWaitMs', 'blocked', 'autoPaused'] as const;
export type CampaignMetricName = (typeof CAMPAIGN_METRICS)[number];

/** The CloudWatch namespace of the campaign metrics. */
export const METRICS_NAMESPACE = 'Disclosure';

/** Counts campaign health; never fails the work it measures. */
export interface CampaignMetrics {
  /** Add `value` to a metric of one campaign (`unit` Count unless said), with extra dimensions. */
  count(campaignId: string, metric: CampaignMetricName, value: number, extra?: { readonly dimensions?: Readonly<Record<string, string>>; readonly unit?: 'Count' | 'Milliseconds' }): void;
}

/** Measures nothing (tests and callers without metrics). */
export const noMetrics: CampaignMetrics = { count: () => {} };

const COUNTED: readonly (keyof Counters & CampaignMetricName)[] = ['sent', 'failed', 'delivered', 'bounced', 'complained', 'reminded', 'defaulted'];

/** The metrics of a counter delta (what a transition earned): positive counts only, choices by option. */
export const countDelta = (metrics: CampaignMetrics, campaignId: string, delta: Partial<Counters>): void => {
  for (const name of COUNTED) {
    const value = delta[name] ?? 0;
    if (value > 0) metrics.count(campaignId, name, value);
  }
  for (const option of CHOICE_OPTIONS) {
    const value = delta[option.counter as keyof Counters] ?? 0;
    if (value > 0) metrics.count(campaignId, 'choices', value, { dimensions: { option: option.id } });
  }
};
