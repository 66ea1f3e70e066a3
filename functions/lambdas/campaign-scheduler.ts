/**
 * The campaign-scheduler Lambda (EventBridge schedule, hourly): reminders before the deadline,
 * the protective default at it, and the other steps of `SWEEP_STEPS`. A thin adapter over
 * `runSweeps`: the clock is injected, the time budget is the invocation's remaining time.
 */
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { systemClock, systemTimers, type Clock } from '../core/clock.ts';
import { runSweeps, type SchedulerDeps, type SweepReport } from '../campaigns/sweeps.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { withLambdaContext } from '../logging.ts';
import { campaignSchedulerLambda } from '../manifest.ts';

/** Build the handler over its dependencies. */
export const makeHandler =
  (deps: SchedulerDeps & { clock: Clock }) =>
  async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SweepReport> =>
    runSweeps(deps, deps.clock.now(), () => context.getRemainingTimeInMillis());

/** Dependencies from the Lambda environment: `TABLE_NAME`, `SEND_QUEUE_URL`, `EVENT_BUS_NAME`, `REMINDER_DAYS`, `MIN_ANSWER_DAYS`, `SENDER_IDENTITY`, `SEND_QUOTA_PER_SECOND`. */
export const defaultDeps = async (): Promise<SchedulerDeps & { clock: Clock }> => {
  const [{ SQSClient }, { EventBridgeClient }, { SESv2Client }, sesAccount, readiness, blocked, metricsModule, ledger, recipients, events, queue, store, sweeps, late, artifact, recount, outbox] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('@aws-sdk/client-eventbridge'),
    import('@aws-sdk/client-sesv2'),
    import('../campaigns/ses-account.ts'),
    import('../campaigns/ses-readiness.ts'),
    import('../campaigns/blocked.ts'),
    import('../campaigns/powertools-metrics.ts'),
    import('../ledger/dynamodb-store.ts'),
    import('../campaigns/dynamodb/recipient-store.ts'),
    import('../campaigns/events.ts'),
    import('../campaigns/queue.ts'),
    import('../campaigns/dynamodb/campaign-store.ts'),
    import('../campaigns/dynamodb/sweep-store.ts'),
    import('../campaigns/dynamodb/late-store.ts'),
    import('../content/index-artifact.ts'),
    import('../campaigns/dynamodb/recount.ts'),
    import('../campaigns/dynamodb/outbox-store.ts'),
  ]);
  const env = lambdaEnvironment(campaignSchedulerLambda);
  const tableName = env.TABLE_NAME;
  const reminderDays = env.REMINDER_DAYS;
  if (!Number.isFinite(reminderDays) || reminderDays < 0) throw new Error('REMINDER_DAYS must be a number of days ≥ 0');
  const trace = await sdkCapture();
  const client = trace(ledger.createDocumentClient());
  const campaigns = new store.DynamoDbCampaignStore({ tableName, client, metrics: new metricsModule.PowertoolsCampaignMetrics() });
  const sendQueue = new queue.SqsQueue({ client: trace(new SQSClient({})), queueUrl: env.SEND_QUEUE_URL, timers: systemTimers });
  const sesReader = new sesAccount.SesV2AccountReader(trace(new SESv2Client({})));
  const log = (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {});
  return {
    content: artifact.contentIndex,
    clock: systemClock,
    campaigns,
    ledger: new ledger.DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers }),
    choices: new recipients.DynamoDbRecipientStore({ tableName, client, timers: systemTimers }),
    events: new events.EventBridgeChoicePublisher({ client: trace(new EventBridgeClient({})), eventBusName: env.EVENT_BUS_NAME, timers: systemTimers }),
    sweeps: new sweeps.DynamoDbSweepStore({ tableName, client }),
    outbox: new outbox.DynamoDbChoiceOutbox({ tableName, client }),
    late: new late.DynamoDbLateMarkerStore({ tableName, client }),
    recipients: new recipients.DynamoDbRecipientStore({ tableName, client, timers: systemTimers }),
    contacts: new ledger.DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers }),
    minAnswerDays: env.MIN_ANSWER_DAYS,
    sendQueue,
    retryBlocked: (campaign) =>
      blocked.retryBlockedCampaign(
        {
          readiness: () => readiness.checkSesReadiness(sesReader, { identity: env.SENDER_IDENTITY, ratePerSecond: env.SEND_QUOTA_PER_SECOND }),
          control: { store: campaigns, content: artifact.contentIndex, clock: systemClock, sendQueue },
          log,
        },
        campaign,
      ),
    reminderDays,
    recount: recount.dynamoDbCounterRecount({ client, tableName }),
    log,
  };
};

/** The Lambda's logger: its service name is `POWERTOOLS_SERVICE_NAME` from the template. */
const logger = new Logger();

export const handler = withLambdaContext(logger, lazyEntry(defaultDeps, makeHandler));
