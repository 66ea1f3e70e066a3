/**
 * Observability: two encrypted alarm topics (page, ticket), an alarm on every function's errors,
 * throttles and duration, each API's 5xx and 4xx rate, stalled work queues, queue and dead-letter
 * age and dead letters, the table's throttles and system errors, EventBridge delivery failures, the
 * scheduler running, the SES reputation; every alarm with a stable name, alarm and OK actions.
 * CloudFront's metrics live in us-east-1 only: their alarms are here when the stack is there, else
 * in the companion stack bin/app.ts creates in us-east-1 (lib/edge-alarms-stack.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { METRICS_NAMESPACE } from '../functions/campaigns/metrics.ts';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { lambdaSpec, type LambdaName, type QueueName } from '../functions/manifest.ts';
import { pascal } from './construct-ids.ts';
import type { ResolvedPlatformProps } from './disclosure-platform-props.ts';
import { alarmFactory, createAlarmTopics, over, type AlarmFactory, type AlarmSeverity } from './alarm-routing.ts';
import { createCloudFrontAlarms } from './cloudfront-alarms.ts';

export type { AlarmSeverity } from './alarm-routing.ts';

/** What is watched. */
export interface ObservedResources {
  readonly functions: Readonly<Record<LambdaName, IFunction>>;
  readonly publicApi: HttpApi;
  readonly serviceApi: HttpApi;
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly eventsDeadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  readonly distribution: cloudfront.IDistribution;
}


/** What `buildObservability` creates. */
export interface PlatformObservability {
  /** Page-worthy alarms publish here (and to `alarmTopicArn` when given). */
  readonly alarmTopic: sns.Topic;
  /** Ticket-worthy alarms publish here (and to `alarmTopicArn` when given). */
  readonly ticketTopic: sns.Topic;
  /** Every alarm of the platform. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The severity of each alarm, by construct id. */
  readonly severities: Readonly<Record<string, AlarmSeverity>>;
  /** The operations dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
}


/** How long a work queue keeps a message: the SQS maximum, so a paused campaign's backlog outlives any pause the queue-age alarm lets pass. */
export const WORK_QUEUE_RETENTION = Duration.days(14);
/** A work or dead-letter queue message older than this pages: a week before SQS would drop it. */
export const MESSAGE_EXPIRY_WARNING = Duration.days(7);


const createFunctionAlarms = (alarm: AlarmFactory, functions: ObservedResources['functions']): void => {
  const fiveMinutes = Duration.minutes(5);
  for (const [name, fn] of Object.entries(functions) as [LambdaName, IFunction][]) {
    const id = pascal(name);
    alarm(`${id}ErrorsAlarm`, 'ticket', {
      alarmDescription: `Disclosure ${name}: invocation errors (runbook: "Lambda errors")`,
      metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      ...over(1),
    });
    alarm(`${id}ThrottlesAlarm`, 'ticket', {
      alarmDescription: `Disclosure ${name}: throttled invocations (runbook: "Lambda throttles")`,
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      ...over(1),
    });
    const timeoutMs = lambdaSpec(name).timeoutSeconds * 1000;
    alarm(`${id}DurationAlarm`, 'ticket', {
      alarmDescription: `Disclosure ${name}: an invocation took 80 % of its ${timeoutMs / 1000} s timeout (runbook: "Lambda near its timeout")`,
      metric: fn.metricDuration({ period: fiveMinutes, statistic: 'Maximum' }),
      ...over(Math.round(timeoutMs * 0.8)),
    });
  }
  // The hourly scheduler sends reminders and records the defaults at the deadline: silence is an incident.
  alarm('SchedulerNotRunningAlarm', 'page', {
    alarmDescription: 'Disclosure campaign-scheduler: no invocation in 2 hours (runbook: "Scheduler not running")',
    metric: functions['campaign-scheduler'].metricInvocations({ period: Duration.hours(1), statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
};

const createApiAlarms = (alarm: AlarmFactory, sources: ObservedResources): void => {
  const fiveMinutes = Duration.minutes(5);
  for (const [id, api] of [['PublicApi', sources.publicApi], ['ServiceApi', sources.serviceApi]] as const) {
    alarm(`${id}ServerErrorAlarm`, 'page', {
      alarmDescription: `Disclosure ${id}: 5xx responses (runbook: "API 5xx")`,
      metric: api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      ...over(1),
    });
    // HTTP APIs publish 429s inside 4xx: a throttled client or a broken caller shows as a 4xx rate.
    alarm(`${id}ClientErrorRateAlarm`, 'ticket', {
      alarmDescription: `Disclosure ${id}: more than 10 % of requests answered 4xx (throttling 429 included) over 15 min (runbook: "API 4xx/429")`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 100, errors / requests, 0)',
        usingMetrics: { errors: api.metricClientError({ statistic: 'Sum' }), requests: api.metricCount({ statistic: 'Sum' }) },
        period: Duration.minutes(15),
        label: `${id} 4xx ratio`,
      }),
      ...over(0.1),
    });
  }
};

const createQueueAlarms = (alarm: AlarmFactory, sources: ObservedResources, config: ResolvedPlatformProps): void => {
  const { queues, eventsDeadLetterQueue } = sources;
  for (const [queueName, queue] of Object.entries(queues) as [QueueName, sqs.Queue][]) {
    const id = `${pascal(queueName)}Queue`;
    if (queueName === 'ses-events') {
      alarm(`${id}AgeAlarm`, 'ticket', {
        alarmDescription: `Disclosure ${id}: oldest message older than ${config.queueAgeAlarmThreshold.toMinutes()} min (runbook: "Queue age")`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: config.queueAgeAlarmThreshold.toSeconds(),
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    } else {
      // A long campaign keeps old messages queued by design (its pace is the SES quota): what matters is
      // that work queued makes no progress. Progress = messages the consumer finished and deleted.
      alarm(`${id}StalledAlarm`, 'page', {
        alarmDescription: `Disclosure ${id}: work queued and no message completed for 15 min (runbook: "Campaign stalled")`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(queued > 0 AND done == 0, 1, 0)',
          usingMetrics: {
            queued: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Minimum' }),
            done: queue.metricNumberOfMessagesDeleted({ statistic: 'Sum' }),
          },
          period: Duration.minutes(15),
          label: `${id} stalled`,
        }),
        ...over(1),
      });
    }
    alarm(`${id}ExpiryAlarm`, 'page', {
      alarmDescription: `Disclosure ${id}: a message is ${MESSAGE_EXPIRY_WARNING.toDays()} days old; SQS drops it at ${WORK_QUEUE_RETENTION.toDays()} (runbook: "Messages about to expire")`,
      metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      ...over(MESSAGE_EXPIRY_WARNING.toSeconds()),
    });
    const deadLetterQueue = queue.deadLetterQueue?.queue;
    if (deadLetterQueue) createDeadLetterAlarms(alarm, id, deadLetterQueue);
  }
  createDeadLetterAlarms(alarm, 'Events', eventsDeadLetterQueue, 'undelivered SES events or scheduler runs');
};

const createDeadLetterAlarms = (alarm: AlarmFactory, id: string, deadLetterQueue: sqs.IQueue, what = 'messages in the dead-letter queue'): void => {
  alarm(`${id}DeadLetterAlarm`, 'ticket', {
    alarmDescription: `Disclosure ${id}: ${what} (runbook: "DLQ redrive")`,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm(`${id}DeadLetterAgeAlarm`, 'page', {
    alarmDescription: `Disclosure ${id}: a dead letter is ${MESSAGE_EXPIRY_WARNING.toDays()} days old; SQS drops it at 14 (runbook: "DLQ redrive")`,
    metric: deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
    ...over(MESSAGE_EXPIRY_WARNING.toSeconds()),
  });
};

const createDataAlarms = (alarm: AlarmFactory, scope: Construct, sources: ObservedResources): void => {
  const fiveMinutes = Duration.minutes(5);
  const tableMetric = (metricName: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: sources.table.tableName }, statistic: 'Sum', period: fiveMinutes });
  alarm('LedgerTableThrottlesAlarm', 'page', {
    alarmDescription: 'Disclosure LedgerTable: throttled requests (runbook: "DynamoDB throttles or system errors")',
    metric: new cloudwatch.MathExpression({
      expression: 'reads + writes',
      usingMetrics: { reads: tableMetric('ReadThrottleEvents'), writes: tableMetric('WriteThrottleEvents') },
      period: fiveMinutes,
      label: 'LedgerTable throttle events',
    }),
    ...over(10),
  });
  alarm('LedgerTableSystemErrorsAlarm', 'page', {
    alarmDescription: 'Disclosure LedgerTable: DynamoDB system errors (runbook: "DynamoDB throttles or system errors")',
    // The operations the code calls (an alarm's math may hold at most 10 metrics).
    metric: sources.table.metricSystemErrorsForOperations({
      period: fiveMinutes,
      operations: [dynamodb.Operation.GET_ITEM, dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM, dynamodb.Operation.QUERY, dynamodb.Operation.BATCH_GET_ITEM, dynamodb.Operation.BATCH_WRITE_ITEM],
    }),
    ...over(1),
  });
  // Every EventBridge rule of the platform: the SES events, the scheduler, the choice events.
  const rules = scope.node.findAll().filter((child): child is events.Rule => child instanceof events.Rule);
  for (const rule of rules) {
    alarm(`${pascal(rule.node.id)}FailedInvocationsAlarm`, 'ticket', {
      alarmDescription: `Disclosure ${rule.node.id}: EventBridge could not deliver to a target (runbook: "DLQ redrive")`,
      metric: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', period: fiveMinutes }),
      ...over(1),
    });
  }
  // Account-level reputation: what SES reviews and pauses an account on (5 % bounces, 0.1 % complaints).
  const reputation = (metricName: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
  alarm('SesBounceRateAlarm', 'page', {
    alarmDescription: 'Disclosure: SES bounce rate above 4 % (SES reviews at 5 %) (runbook: "SES bounce/complaint rate")',
    metric: reputation('Reputation.BounceRate'),
    threshold: 0.04,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm('SesComplaintRateAlarm', 'page', {
    alarmDescription: 'Disclosure: SES complaint rate above 0.08 % (SES reviews at 0.1 %) (runbook: "SES bounce/complaint rate")',
    metric: reputation('Reputation.ComplaintRate'),
    threshold: 0.0008,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  // SES refusing messages it accepted for sending (content it will not send): a finding for the templates.
  alarm('SesRejectsAlarm', 'ticket', {
    alarmDescription: 'Disclosure: SES rejected messages (runbook: "SES paused or out of quota")',
    metric: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reject', statistic: 'Sum', period: fiveMinutes }),
    ...over(1),
  });
};

/** The campaign metrics (`functions/campaigns/metrics.ts`, EMF from the workers) as a platform total of one function's service. */
const campaignTotal = (metricName: string, fn: string, period = Duration.hours(1)): cloudwatch.Metric =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: `disclosure-${fn}` }, statistic: 'Sum', period });

/** Failed ratio of the sends, and a campaign that paused itself on its own bounce or complaint ratio (`auto-pause.ts`). */
const createCampaignHealthAlarms = (alarm: AlarmFactory): void => {
  alarm('CampaignFailedRatioAlarm', 'ticket', {
    alarmDescription: 'Disclosure: over 5 % of the notices in the last hour failed (runbook: "Failed recipients")',
    metric: new cloudwatch.MathExpression({
      expression: 'IF(sent + failed >= 20, failed / (sent + failed), 0)',
      usingMetrics: { sent: campaignTotal('sent', 'campaign-sender'), failed: campaignTotal('failed', 'campaign-sender') },
      period: Duration.hours(1),
      label: 'failed ratio',
    }),
    threshold: 0.05,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm('CampaignAutoPausedAlarm', 'page', {
    alarmDescription: 'Disclosure: a campaign paused itself, its bounce or complaint ratio passed its threshold below SES\'s review rates (runbook: "Campaign paused for its reputation")',
    metric: campaignTotal('autoPaused', 'ses-events', Duration.minutes(5)),
    ...over(1),
  });
};

/** A CloudWatch SEARCH over every campaign's series of one metric (a line per running campaign). */
const perCampaign = (label: string, dimensions: string, metricName: string, statistic = 'Sum'): cloudwatch.MathExpression =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions}} MetricName="${metricName}"', '${statistic}', 300)`,
    usingMetrics: {},
    label,
    period: Duration.minutes(5),
  });

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
    // Campaign health, a line per campaign (the campaignId dimension); a campaign appears once it sends.
    new cloudwatch.GraphWidget({
      title: 'Campaigns: sent and delivered',
      width: 8,
      left: [perCampaign('sent', 'campaignId,service', 'sent'), perCampaign('delivered', 'campaignId,service', 'delivered')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Campaigns: bounced and complained',
      width: 8,
      left: [perCampaign('bounced', 'campaignId,service', 'bounced'), perCampaign('complained', 'campaignId,service', 'complained')],
    }),
    new cloudwatch.GraphWidget({ title: 'Campaigns: failed by reason', width: 8, left: [perCampaign('failed', 'campaignId,kind,reason,service', 'failed')] }),
    new cloudwatch.GraphWidget({ title: 'Campaigns: choices by option', width: 8, left: [perCampaign('choices', 'campaignId,option,service', 'choices')] }),
    new cloudwatch.GraphWidget({
      title: 'Campaigns: SES throttling and pacer wait',
      width: 8,
      left: [perCampaign('throttled', 'campaignId,scope,service', 'sesThrottled')],
      right: [perCampaign('pacer wait (ms)', 'campaignId,service', 'pacerWaitMs', 'Average')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Campaigns: blocked and paused',
      width: 8,
      left: [perCampaign('blocked', 'campaignId,reason,service', 'blocked'), perCampaign('auto-paused', 'campaignId,service', 'autoPaused')],
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: [...alarms] }),
  );
  return dashboard;
};

/** Creates the alarm topics, the alarms and the dashboard in `scope` (the `DisclosurePlatform`). */
export const buildObservability = (scope: Construct, sources: ObservedResources, config: ResolvedPlatformProps): PlatformObservability => {
  const { alarmTopic, ticketTopic } = createAlarmTopics(scope, config);
  const external = config.alarmTopicArn ? sns.Topic.fromTopicArn(scope, 'ExternalAlarmTopic', config.alarmTopicArn) : undefined;
  const { alarm, alarms, severities } = alarmFactory(scope, { page: [alarmTopic, ...(external ? [external] : [])], ticket: [ticketTopic, ...(external ? [external] : [])] }, Stack.of(scope).stackName);
  createFunctionAlarms(alarm, sources.functions);
  createApiAlarms(alarm, sources);
  createQueueAlarms(alarm, sources, config);
  createDataAlarms(alarm, scope, sources);
  createCampaignHealthAlarms(alarm);
  // CloudFront's metrics exist in us-east-1 only: a stack there alarms on them itself, any other
  // gets a companion stack in us-east-1 from bin/app.ts (lib/edge-alarms-stack.ts).
  if (Stack.of(scope).region === 'us-east-1') createCloudFrontAlarms(alarm, sources.distribution);
  return { alarmTopic, ticketTopic, alarms, severities, dashboard: createDashboard(scope, sources, alarms) };
};
