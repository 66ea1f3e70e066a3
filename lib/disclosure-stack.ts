/** The deployable unit: one `DisclosurePlatform` and the outputs operators need. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DisclosurePlatform, type DisclosurePlatformProps } from './disclosure-platform.ts';

export interface DisclosureStackProps extends StackProps {
  /** Everything the platform needs; see `DisclosurePlatformProps` for each default. */
  readonly platform: DisclosurePlatformProps;
}

/** Stack holding the Disclosure platform. */
export class DisclosureStack extends Stack {
  /** The platform construct, for tests and extensions. */
  public readonly platform: DisclosurePlatform;

  constructor(scope: Construct, id: string, props: DisclosureStackProps) {
    super(scope, id, props);
    this.platform = new DisclosurePlatform(this, 'Platform', props.platform);
    const platform = this.platform;
    new CfnOutput(this, 'PublicUrl', { value: `https://${platform.distribution.distributionDomainName}`, description: 'CloudFront URL of the public API' });
    new CfnOutput(this, 'ServiceApiUrl', { value: platform.serviceApi.apiEndpoint, description: 'IAM (SigV4) authorised account and admin routes' });
    // No output for the public API's own execute-api URL: it is the distribution's origin, and
    // publishing it would invite callers to bypass CloudFront (its function, WAF and caching).
    new CfnOutput(this, 'LedgerTableName', { value: platform.table.tableName });
    new CfnOutput(this, 'PlannerDeadLetterQueueUrl', { value: platform.plannerQueue.deadLetterQueue?.queue.queueUrl ?? '' });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', { value: platform.sendQueue.deadLetterQueue?.queue.queueUrl ?? '' });
    new CfnOutput(this, 'ChoiceEventBusName', { value: platform.choiceEventBus.eventBusName });
    new CfnOutput(this, 'ConfigurationSetName', { value: platform.configurationSet.configurationSetName });
    new CfnOutput(this, 'TokenSecretArn', { value: platform.tokenSecret.secretArn });
    new CfnOutput(this, 'OriginVerifySecretArn', { value: platform.originVerifySecret.secretArn, description: 'x-origin-verify values (docs/runbook.md, "Origin verification")' });
    new CfnOutput(this, 'AlarmTopicArn', { value: platform.alarmTopic.topicArn, description: 'Page-worthy alarms' });
    new CfnOutput(this, 'TicketTopicArn', { value: platform.ticketTopic.topicArn, description: 'Ticket-worthy alarms' });
  }
}
