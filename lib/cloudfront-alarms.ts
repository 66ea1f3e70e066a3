/**
 * The distribution's alarms. CloudFront publishes its metrics in us-east-1 only (dimension
 * `Region=Global`) and an alarm must live in its metric's region: these are created in the
 * platform stack when it is in us-east-1, else in the edge-alarm stack there (lib/edge-alarms-stack.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { over, type AlarmFactory } from './alarm-routing.ts';

/** A CloudFront metric of `distributionId` (a percentage for the error rates). */
const cloudFrontMetric = (distributionId: string, metricName: string, statistic: string, period: Duration): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
    statistic,
    period,
  });

/** CloudFront5xxErrorRate (page) and CloudFront4xxErrorRate (ticket) of the distribution. */
export const createCloudFrontAlarms = (alarm: AlarmFactory, distribution: cloudfront.IDistribution): void => {
  const id = distribution.distributionId;
  // Origin unreachable or timing out (502/504) shows here, not in the API's own 5xx alarm.
  alarm('CloudFront5xxErrorRateAlarm', 'page', {
    alarmDescription: 'Disclosure CloudFront: 1 % or more of the viewer requests answered 5xx over 5 min (runbook: "CloudFront 5xx")',
    metric: cloudFrontMetric(id, '5xxErrorRate', 'Average', Duration.minutes(5)),
    ...over(1),
  });
  // 404s of crawlers and WAF blocks are 4xx too: a ratio over 15 min, from 100 requests on.
  alarm('CloudFront4xxErrorRateAlarm', 'ticket', {
    alarmDescription: 'Disclosure CloudFront: more than 10 % of at least 100 viewer requests answered 4xx over 15 min (runbook: "CloudFront 4xx")',
    metric: new cloudwatch.MathExpression({
      expression: 'IF(requests >= 100, rate, 0)',
      usingMetrics: {
        rate: cloudFrontMetric(id, '4xxErrorRate', 'Average', Duration.minutes(15)),
        requests: cloudFrontMetric(id, 'Requests', 'Sum', Duration.minutes(15)),
      },
      period: Duration.minutes(15),
      label: 'CloudFront 4xx rate (%)',
    }),
    threshold: 10,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
};
