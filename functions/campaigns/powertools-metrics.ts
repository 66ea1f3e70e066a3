/**
 * `CampaignMetrics` over Powertools Metrics: one embedded-metric-format line per count (a single
 * metric with the campaign dimension, flushed at once, so a crash loses nothing counted before it;
 * and, for metrics without extra dimensions, one more with the service dimension only, for alarms),
 * written to stdout where Lambda ships it to CloudWatch Logs, which extracts the metrics.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type CampaignMetrics, METRICS_NAMESPACE } from './metrics.ts';

export class PowertoolsCampaignMetrics implements CampaignMetrics {
  readonly #metrics: Metrics;

  /** Service name from `POWERTOOLS_SERVICE_NAME` unless given (tests and the local platform name theirs). */
  constructor(options: { readonly serviceName?: string; readonly metrics?: Metrics } = {}) {
    this.#metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, ...(options.serviceName ? { serviceName: options.serviceName } : {}) });
  }

  count(...[campaignId, metric, value, extra]: Parameters<CampaignMetrics['count']>): void {
    try {
      const unit = extra?.unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count;
      const single = this.#metrics.singleMetric();
      single.addDimension('campaignId', campaignId);
      for (const [name, dimension] of Object.entries(extra?.dimensions ?? {})) single.addDimension(name, dimension);
      single.addMetric(metric, unit, value);
      // The platform total (service dimension only) that alarms read: alarms cannot SEARCH over campaigns.
      // Only for metrics without extra dimensions, so a total is never counted twice.
      if (!extra?.dimensions) this.#metrics.singleMetric().addMetric(metric, unit, value);
    } catch {
      // Measuring must never fail the work it measures.
    }
  }
}
