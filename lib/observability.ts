/**
 * Observability: the encrypted alarm topic, an alarm on every function's errors and throttles,
 * each API's 5xx, each queue's age and dead letters and the SES reputation, and the dashboard.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { LambdaName, QueueName } from '../functions/manifest.ts';
import { pascal } from './construct-ids.ts';
import type { ResolvedPlatformProps } from './disclosure-platform-props.ts';

/** What is watched. */
export interface ObservedResources {
  readonly functions: Readonly<Record<LambdaName, IFunction>>;
  readonly publicApi: HttpApi;
  readonly serviceApi: HttpApi;
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly eventsDeadLetterQueue: sqs.IQueue;
}

/** What `buildObservability` creates. */
export interface PlatformObservability {
  /** Every alarm publishes here. */
  readonly alarmTopic: sns.Topic;
  /** Every alarm of the platform. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The operations dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
}

type AlarmFactory = (id: string, props: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric }) => cloudwatch.Alarm;

const createAlarmTopic = (scope: Construct, config: ResolvedPlatformProps): sns.Topic => {
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: 'Disclosure: alarm topic',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // CloudWatch alarms publish to an encrypted topic only when the key lets them.
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
  }));
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'Disclosure alarms',
    masterKey: key,
    enforceSSL: true,
  });
  if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
  return topic;
};

const createAlarms = (alarm: AlarmFactory, sources: ObservedResources, config: ResolvedPlatformProps): void => {
  const { functions, publicApi, serviceApi, queues, eventsDeadLetterQueue } = sources;
  const fiveMinutes = Duration.minutes(5);
  for (const [name, fn] of Object.entries(functions)) {
    const id = pascal(name);
    alarm(`${id}ErrorsAlarm`, {
      alarmDescription: `Disclosure ${name}: invocation errors (runbook: "Lambda errors")`,
      metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm(`${id}ThrottlesAlarm`, {
      alarmDescription: `Disclosure ${name}: throttled invocations (runbook: "Lambda throttles")`,
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
  for (const [id, api] of [['PublicApi', publicApi], ['ServiceApi', serviceApi]] as const) {
    alarm(`${id}ServerErrorAlarm`, {
      alarmDescription: `Disclosure ${id}: 5xx responses (runbook: "API 5xx")`,
      metric: api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
  for (const [queueName, queue] of Object.entries(queues)) {
    const id = `${pascal(queueName)}Queue`;
    const deadLetterQueue = queue.deadLetterQueue?.queue;
    alarm(`${id}AgeAlarm`, {
      alarmDescription: `Disclosure ${id}: oldest message older than ${config.queueAgeAlarmThreshold.toMinutes()} min (runbook: "Queue age")`,
      metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: config.queueAgeAlarmThreshold.toSeconds(),
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    if (deadLetterQueue) {
      alarm(`${id}DeadLetterAlarm`, {
        alarmDescription: `Disclosure ${id}: messages in the dead-letter queue (runbook: "DLQ redrive")`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
  }
  alarm('EventsDeadLetterAlarm', {
    alarmDescription: 'Disclosure: undelivered SES events or scheduler runs (runbook: "DLQ redrive")',
    metric: eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  // Account-level reputation: what SES reviews and pauses an account on (5 % bounces, 0.1 % complaints).
  const reputation = (metricName: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
  alarm('SesBounceRateAlarm', {
    alarmDescription: 'Disclosure: SES bounce rate above 4 % (SES reviews at 5 %) (runbook: "SES bounce/complaint rate")',
    metric: reputation('Reputation.BounceRate'),
    threshold: 0.04,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm('SesComplaintRateAlarm', {
    alarmDescription: 'Disclosure: SES complaint rate above 0.08 % (SES reviews at 0.1 %) (runbook: "SES bounce/complaint rate")',
    metric: reputation('Reputation.ComplaintRate'),
    threshold: 0.0008,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
};

const createDashboard = (scope: Construct, sources: ObservedResources, alarms: readonly cloudwatch.Alarm[]): cloudwatch.Dashboard => {
  const { publicApi, serviceApi, queues } = sources;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  const fns = Object.entries(sources.functions);
  const sesMetric = (metricName: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Sum', period: Duration.minutes(5) });
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'API requests and errors',
      width: 12,
      left: [publicApi.metricCount(), serviceApi.metricCount()],
      right: [publicApi.metricServerError(), publicApi.metricClientError(), serviceApi.metricServerError()],
    }),
    new cloudwatch.GraphWidget({
      title: 'API latency p99',
      width: 12,
      left: [publicApi.metricLatency({ statistic: 'p99' }), serviceApi.metricLatency({ statistic: 'p99' })],
    }),
    new cloudwatch.GraphWidget({ title: 'Lambda errors', width: 12, left: fns.map(([name, fn]) => fn.metricErrors({ label: name })) }),
    new cloudwatch.GraphWidget({ title: 'Lambda duration p99', width: 12, left: fns.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })) }),
    new cloudwatch.GraphWidget({
      title: 'Campaign queues',
      width: 12,
      left: [queues.planner.metricApproximateNumberOfMessagesVisible(), queues.send.metricApproximateNumberOfMessagesVisible()],
      right: [queues.planner.metricApproximateAgeOfOldestMessage(), queues.send.metricApproximateAgeOfOldestMessage()],
    }),
    new cloudwatch.GraphWidget({
      title: 'SES',
      width: 12,
      left: [sesMetric('Send'), sesMetric('Delivery'), sesMetric('Bounce'), sesMetric('Complaint'), sesMetric('Reject')],
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: [...alarms] }),
  );
  return dashboard;
};

/** Creates the alarm topic, the alarms and the dashboard in `scope` (the `DisclosurePlatform`). */
export const buildObservability = (scope: Construct, sources: ObservedResources, config: ResolvedPlatformProps): PlatformObservability => {
  const alarmTopic = createAlarmTopic(scope, config);
  const alarms: cloudwatch.Alarm[] = [];
  const alarm: AlarmFactory = (id, props) => {
    const created = new cloudwatch.Alarm(scope, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    created.addAlarmAction(new SnsAction(alarmTopic));
    alarms.push(created);
    return created;
  };
  createAlarms(alarm, sources, config);
  return { alarmTopic, alarms, dashboard: createDashboard(scope, sources, alarms) };
};
