/**
 * The platform's messaging: the campaign work queues and their dead-letter queues, the DLQ of
 * the EventBridge targets and asynchronous invocations, the choice event bus and its archive,
 * and the SES configuration set whose events reach the ses-events queue through a rule.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CHOICE_OPTION_IDS } from '../functions/core/choice-options.ts';
import { LAMBDA_NAMES, lambdaSpec, type QueueName } from '../functions/manifest.ts';
import { STATEFUL_LOGICAL_IDS, pascal, pinLogicalId } from './construct-ids.ts';
import type { ResolvedPlatformProps } from './disclosure-platform-props.ts';
import { acknowledge } from './nag.ts';
import { senderSizing } from './sender-sizing.ts';

/** What `buildMessaging` creates. */
export interface PlatformMessaging {
  /** Each work queue (with its `deadLetterQueue`), by the name the manifest's queue triggers use. */
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  /** Dead-letter queue of the EventBridge targets and of asynchronous invocations (the scheduler). */
  readonly eventsDeadLetterQueue: sqs.Queue;
  /** Where recorded choices are published for downstream services. */
  readonly choiceEventBus: events.EventBus;
  /** SES configuration set every change-notice email is sent through. */
  readonly configurationSet: ses.ConfigurationSet;
}

/** The pinned logical ids of each work queue and its dead-letter queue. */
const QUEUE_IDS: Record<QueueName, { readonly queue: string; readonly deadLetterQueue: string }> = {
  planner: { queue: STATEFUL_LOGICAL_IDS.plannerQueue, deadLetterQueue: STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue },
  send: { queue: STATEFUL_LOGICAL_IDS.sendQueue, deadLetterQueue: STATEFUL_LOGICAL_IDS.sendDeadLetterQueue },
  'ses-events': { queue: STATEFUL_LOGICAL_IDS.sesEventsQueue, deadLetterQueue: STATEFUL_LOGICAL_IDS.sesEventsDeadLetterQueue },
};

/** The timeout of the Lambda the manifest has consume a queue (the sender's derived from the quota): its visibility is sized from it. */
const consumerTimeoutOf = (queue: QueueName, config: ResolvedPlatformProps): Duration => {
  const consumer = LAMBDA_NAMES.find((name) => {
    const trigger = lambdaSpec(name).trigger;
    return trigger.kind === 'queue' && trigger.queue === queue;
  });
  if (!consumer) throw new Error(`functions/manifest.ts: no Lambda consumes the ${queue} queue`);
  const spec = lambdaSpec(consumer);
  return Duration.seconds('sizedBySendQuota' in spec && spec.sizedBySendQuota ? senderSizing(config.sendQuotaPerSecond).timeoutSeconds : spec.timeoutSeconds);
};

/** A work queue and its dead-letter queue, SSL-only and encrypted; visibility 6× the consumer's timeout. */
const createQueuePair = (scope: Construct, queueName: QueueName, config: ResolvedPlatformProps): sqs.Queue => {
  const name = pascal(queueName);
  const deadLetterQueue = new sqs.Queue(scope, `${name}DeadLetterQueue`, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pinLogicalId(deadLetterQueue, QUEUE_IDS[queueName].deadLetterQueue);
  const queue = new sqs.Queue(scope, `${name}Queue`, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(consumerTimeoutOf(queueName, config).toSeconds() * 6),
    // The SQS maximum: a paused campaign's backlog must outlive the pause (the expiry alarm pages at 7 days).
    retentionPeriod: Duration.days(14),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pinLogicalId(queue, QUEUE_IDS[queueName].queue);
  return queue;
};

const createConfigurationSet = (scope: Construct, config: ResolvedPlatformProps): ses.ConfigurationSet => {
  const configurationSet = new ses.ConfigurationSet(scope, 'ConfigurationSet', {
    reputationMetrics: true,
    sendingEnabled: true,
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  // Retained and pinned: the configuration set is named in every send and in the SES event rule.
  configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);
  pinLogicalId(configurationSet, STATEFUL_LOGICAL_IDS.configurationSet);
  // SES v2 publishes to the default event bus only.
  const defaultBus = events.EventBus.fromEventBusName(scope, 'DefaultEventBus', 'default');
  configurationSet.addEventDestination('ToEventBridge', {
    destination: ses.EventDestination.eventBus(defaultBus),
    // No SEND: every accepted email also yields one of these, with the same mail object and tags,
    // and the first of them settles a recipient its attempt left `sending` (one event per email).
    events: [
      ses.EmailSendingEvent.DELIVERY,
      ses.EmailSendingEvent.DELIVERY_DELAY,
      ses.EmailSendingEvent.BOUNCE,
      ses.EmailSendingEvent.COMPLAINT,
      ses.EmailSendingEvent.REJECT,
      ses.EmailSendingEvent.RENDERING_FAILURE,
    ],
  });
  if (config.createSenderIdentity) {
    const identity = new ses.EmailIdentity(scope, 'SenderIdentity', {
      identity: config.senderIdentity.includes('@') ? ses.Identity.email(config.senderIdentity) : ses.Identity.domain(config.senderIdentity),
      configurationSet,
    });
    // Retained and pinned: a replaced identity loses its verification and DKIM records.
    identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    pinLogicalId(identity, STATEFUL_LOGICAL_IDS.senderIdentity);
  }
  return configurationSet;
};

/** Creates the queues, the choice bus and the SES configuration set in `scope` (the `DisclosurePlatform`). */
export const buildMessaging = (scope: Construct, config: ResolvedPlatformProps): PlatformMessaging => {
  const queues = {
    planner: createQueuePair(scope, 'planner', config),
    send: createQueuePair(scope, 'send', config),
    'ses-events': createQueuePair(scope, 'ses-events', config),
  };
  const eventsDeadLetterQueue = new sqs.Queue(scope, 'EventsDeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(eventsDeadLetterQueue, 'AwsSolutions-SQS3',
    'This queue is the dead-letter destination of the EventBridge targets and of the asynchronous SES-event and scheduler invocations; a DLQ of a DLQ would hide failures.');

  const choiceEventBus = new events.EventBus(scope, 'ChoiceEventBus', {
    // Named after the stack, not the construct path: a refactor must not rename (replace) the bus consumers subscribe to.
    eventBusName: `${Stack.of(scope).stackName}-choices`,
    description: `Disclosure: recorded choices (${CHOICE_OPTION_IDS.join(', ')}) for downstream services`,
  });
  pinLogicalId(choiceEventBus, STATEFUL_LOGICAL_IDS.choiceEventBus);
  choiceEventBus.archive('ChoiceEventArchive', {
    description: 'Replayable copy of every published choice (a downstream outage must not lose a delete request)',
    eventPattern: { account: [Aws.ACCOUNT_ID] },
    retention: Duration.days(400),
  });

  const configurationSet = createConfigurationSet(scope, config);
  new events.Rule(scope, 'SesEventsRule', {
    description: 'SES events of the Disclosure configuration set → ses-events',
    eventPattern: {
      source: ['aws.ses'],
      detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
    },
    // Through a queue, not straight to the function: one invocation per up to 100 events instead of per event.
    targets: [new targets.SqsQueue(queues['ses-events'], { deadLetterQueue: eventsDeadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(12) })],
  });
  return { queues, eventsDeadLetterQueue, choiceEventBus, configurationSet };
};
