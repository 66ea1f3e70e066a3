/**
 * Where alarms go: the two KMS-encrypted, SSL-only topics (page, ticket) with the `alarmEmail`
 * subscription, and the factory every alarm of the platform (and of the us-east-1 edge-alarm
 * stack) is created through: a stable name `<stack>-<severity>-<what>`, alarm and OK actions to
 * its severity's topics, missing data not breaching unless the alarm says otherwise.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * `page`: wakes someone (people cannot use the platform, a campaign is stuck or burning the SES
 * reputation, messages are about to expire). `ticket`: looked at the next working day.
 */
export type AlarmSeverity = 'page' | 'ticket';

export type AlarmFactory = (id: string, severity: AlarmSeverity, props: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric }) => cloudwatch.Alarm;

/** `>= threshold` for `evaluationPeriods` periods. */
export const over = (threshold: number, evaluationPeriods = 1): Pick<cloudwatch.CreateAlarmOptions, 'threshold' | 'evaluationPeriods' | 'comparisonOperator'> => ({
  threshold,
  evaluationPeriods,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
});

const createAlarmKey = (scope: Construct): kms.Key => {
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
  return key;
};

/** The page and ticket topics (construct ids `AlarmTopic`, `TicketTopic`), both subscribed by `alarmEmail`. */
export const createAlarmTopics = (scope: Construct, config: { readonly alarmEmail?: string }): { alarmTopic: sns.Topic; ticketTopic: sns.Topic } => {
  const key = createAlarmKey(scope);
  const topic = (id: string, displayName: string): sns.Topic => {
    const created = new sns.Topic(scope, id, { displayName, masterKey: key, enforceSSL: true });
    if (config.alarmEmail) created.addSubscription(new EmailSubscription(config.alarmEmail));
    return created;
  };
  return { alarmTopic: topic('AlarmTopic', 'Disclosure alarms (page)'), ticketTopic: topic('TicketTopic', 'Disclosure alarms (ticket)') };
};

/** The factory of alarms named after `stackName`, publishing to `topics[severity]`; collects what it made. */
export const alarmFactory = (
  scope: Construct,
  topics: Readonly<Record<AlarmSeverity, readonly sns.ITopic[]>>,
  stackName: string,
): { alarm: AlarmFactory; alarms: cloudwatch.Alarm[]; severities: Record<string, AlarmSeverity> } => {
  const alarms: cloudwatch.Alarm[] = [];
  const severities: Record<string, AlarmSeverity> = {};
  const alarm: AlarmFactory = (id, severity, props) => {
    const created = new cloudwatch.Alarm(scope, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      // Stable and searchable: `<stack>-page-<id>`; the severity is in the name a pager shows.
      alarmName: `${stackName}-${severity}-${id.replace(/Alarm$/, '')}`,
    });
    for (const topic of topics[severity]) {
      created.addAlarmAction(new SnsAction(topic));
      created.addOkAction(new SnsAction(topic));
    }
    alarms.push(created);
    severities[id] = severity;
    return created;
  };
  return { alarm, alarms, severities };
};
