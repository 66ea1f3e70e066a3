/**
 * The builders `DisclosurePlatform` composes, each synthesised alone in a bare stack (no
 * bundling): they create their resources in the scope they are given, with the pinned ids,
 * and size what they size from the Lambda manifest.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LAMBDAS } from '../../functions/manifest.ts';
import { STATEFUL_LOGICAL_IDS, pascal } from '../../lib/construct-ids.ts';
import { buildData } from '../../lib/data.ts';
import { resolvePlatformProps } from '../../lib/disclosure-platform-props.ts';
import { buildMessaging } from '../../lib/messaging.ts';
import { referenceProps } from './platform-synth.ts';

const bareStack = (): Stack => new Stack(new App(), 'Bare');

describe('Function: pascal', () => {
  it('turns a Lambda name into its construct id prefix', () => {
    expect(pascal('campaign-sender')).toBe('CampaignSender');
    expect(pascal('notices')).toBe('Notices');
  });
});

describe('Function: buildData', () => {
  it('creates the key, table and secret under their pinned logical ids', () => {
    // Arrange
    const stack = bareStack();

    // Act
    buildData(stack);

    // Assess
    const resources = Template.fromStack(stack).toJSON()['Resources'] as Record<string, { Type: string }>;
    expect(resources[STATEFUL_LOGICAL_IDS.dataKey]?.Type).toBe('AWS::KMS::Key');
    expect(resources[STATEFUL_LOGICAL_IDS.table]?.Type).toBe('AWS::DynamoDB::Table');
    expect(resources[STATEFUL_LOGICAL_IDS.tokenSecret]?.Type).toBe('AWS::SecretsManager::Secret');
  });
});

describe('Function: buildMessaging', () => {
  it('gives each work queue six times its manifest consumer’s timeout, and a pinned DLQ', () => {
    const stack = bareStack();

    const messaging = buildMessaging(stack, resolvePlatformProps(referenceProps));

    const resources = Template.fromStack(stack).toJSON()['Resources'] as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const consumers = { planner: LAMBDAS['campaign-planner'], send: LAMBDAS['campaign-sender'], 'ses-events': LAMBDAS['ses-events'] };
    const ids = {
      planner: [STATEFUL_LOGICAL_IDS.plannerQueue, STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue],
      send: [STATEFUL_LOGICAL_IDS.sendQueue, STATEFUL_LOGICAL_IDS.sendDeadLetterQueue],
      'ses-events': [STATEFUL_LOGICAL_IDS.sesEventsQueue, STATEFUL_LOGICAL_IDS.sesEventsDeadLetterQueue],
    } as const;
    for (const [queue, [queueId, deadLetterId]] of Object.entries(ids) as [keyof typeof ids, readonly [string, string]][]) {
      expect(resources[queueId]?.Properties['VisibilityTimeout'], queue).toBe(6 * consumers[queue].timeoutSeconds);
      expect(resources[deadLetterId]?.Type, queue).toBe('AWS::SQS::Queue');
      expect(messaging.queues[queue].deadLetterQueue?.queue).toBeDefined();
    }
    expect(resources[STATEFUL_LOGICAL_IDS.choiceEventBus]?.Properties['Name']).toBe('Bare-choices');
  });
});
