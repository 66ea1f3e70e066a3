/**
 * The us-east-1 companion of a platform stack deployed elsewhere: CloudFront publishes its
 * metrics in us-east-1 only and an alarm must live in its metric's region, so the distribution's
 * alarms (lib/cloudfront-alarms.ts) live here, with their own page and ticket topics (SNS topics
 * are regional too) subscribed to the same destination. The distribution id arrives through a
 * CDK cross-region reference (an SSM parameter the platform stack writes in us-east-1), so
 * `cdk deploy --all` deploys the platform stack first. bin/app.ts creates it.
 */
import { Annotations, Arn, ArnFormat, CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alarmFactory, createAlarmTopics, type AlarmSeverity } from './alarm-routing.ts';
import { createCloudFrontAlarms } from './cloudfront-alarms.ts';

export interface DisclosureEdgeAlarmsStackProps extends StackProps {
  /** The platform stack's distribution. */
  readonly distribution: cloudfront.IDistribution;
  /** The platform stack's name: the alarms are named `<it>-page-…` as the platform's own. */
  readonly platformStackName: string;
  /** Subscribed to both topics, as on the platform stack's. */
  readonly alarmEmail?: string;
  /** Also an alarm action when it is a us-east-1 topic (CloudWatch publishes to topics of its own region only). */
  readonly alarmTopicArn?: string;
}

/** The region CloudFront's metrics (and so its alarms) are in. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

/** The distribution's alarms in us-east-1, for a platform stack in another region. */
export class DisclosureEdgeAlarmsStack extends Stack {
  public readonly alarmTopic: sns.Topic;
  public readonly ticketTopic: sns.Topic;
  public readonly alarms: readonly cloudwatch.Alarm[];
  public readonly severities: Readonly<Record<string, AlarmSeverity>>;

  constructor(scope: Construct, id: string, props: DisclosureEdgeAlarmsStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    if (this.region !== CLOUDFRONT_METRICS_REGION) throw new Error(`DisclosureEdgeAlarmsStack: must be in ${CLOUDFRONT_METRICS_REGION}, not ${this.region}`);
    const { alarmTopic, ticketTopic } = createAlarmTopics(this, props);
    this.alarmTopic = alarmTopic;
    this.ticketTopic = ticketTopic;
    const externalRegion = props.alarmTopicArn && !Token.isUnresolved(props.alarmTopicArn) ? Arn.split(props.alarmTopicArn, ArnFormat.NO_RESOURCE_NAME).region : undefined;
    const external = props.alarmTopicArn && externalRegion === CLOUDFRONT_METRICS_REGION ? sns.Topic.fromTopicArn(this, 'ExternalAlarmTopic', props.alarmTopicArn) : undefined;
    if (props.alarmTopicArn && !external) {
      Annotations.of(this).addWarningV2('disclosure:edge-alarm-topic',
        `alarmTopicArn is in ${externalRegion ?? 'an unknown region'}: CloudWatch in us-east-1 cannot publish to it; the CloudFront alarms reach ${props.alarmEmail ?? 'no email'} through this stack's topics (subscribe your destination to them: outputs AlarmTopicArn, TicketTopicArn)`);
    }
    const extra = external ? [external] : [];
    const { alarm, alarms, severities } = alarmFactory(this, { page: [alarmTopic, ...extra], ticket: [ticketTopic, ...extra] }, props.platformStackName);
    createCloudFrontAlarms(alarm, props.distribution);
    this.alarms = alarms;
    this.severities = severities;
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn, description: 'Page-worthy CloudFront alarms' });
    new CfnOutput(this, 'TicketTopicArn', { value: ticketTopic.topicArn, description: 'Ticket-worthy CloudFront alarms' });
  }
}
