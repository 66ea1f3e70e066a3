/**
 * Local wiring of the campaign workers: the planner and sender Lambdas driven by in-process
 * queues (SQS semantics, DLQs), and the SES configuration-set events from the local SES endpoint
 * fed through a queue into the SES-events Lambda. `startCampaignWorkers` is also what the
 * integration tests and the bench run, with their own faults, quotas and sizes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { makeHandler as makePlannerHandler } from '../../functions/lambdas/campaign-planner.ts';
import { makeHandler as makeSenderHandler } from '../../functions/lambdas/campaign-sender.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import type { PlannerMessage, SendMessage } from '../../functions/campaigns/messages.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { PacedRateLimiter } from '../../functions/campaigns/dynamodb/rate-limiter.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { type FaultHook, type RateLimiter, unlimited } from '../../functions/campaigns/ports.ts';
import type { CampaignMetrics } from '../../functions/campaigns/metrics.ts';
import type { ReputationThresholds } from '../../functions/campaigns/auto-pause.ts';
import type { SenderDeps } from '../../functions/campaigns/sender.ts';
import type { RenderCampaignEmail } from '../../functions/campaigns/send-email.ts';
import { SesBulkMailer } from '../../functions/campaigns/ses-mailer.ts';
import { localTokenKey, type TokenKeyProvider } from '../../functions/campaigns/token-key.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import type { ContentIndex } from '../../functions/core/content.ts';
import { type Clock, systemClock, systemTimers } from '../../functions/core/clock.ts';
import { signChoiceToken } from '../../functions/core/tokens.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import { makeHandler as makeSesEventsHandler } from '../../functions/lambdas/ses-events.ts';
import { campaignPlannerLambda, campaignSenderLambda, sesEventsLambda } from '../../functions/manifest.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';
import { type Consumer, LocalQueue, drainAll, startConsumer } from '../queues.ts';
import { recoverCampaigns } from '../recovery.ts';

/** The local platform's sender address and the SES identity it belongs to (verified unless a test says otherwise). */
export const LOCAL_SENDER_ADDRESS = 'noreply@disclosure.local';
export const LOCAL_SENDER_IDENTITY = 'disclosure.local';

/** An SES v2 client for the local endpoint (no SDK retries: the callers retry with their own policy). */
export const localSesClientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

/** The queues the campaigns API and the workers share (the SQS queues of the deployed stack). */
export interface CampaignQueues {
  readonly planner: LocalQueue<PlannerMessage>;
  readonly send: LocalQueue<SendMessage>;
  readonly sesEvents: LocalQueue<unknown>;
  readonly plannerDlq: LocalQueue<unknown>;
  readonly sendDlq: LocalQueue<unknown>;
  readonly sesEventsDlq: LocalQueue<unknown>;
}

export interface CampaignQueueOptions {
  /** @default 30000 */
  readonly visibilityTimeoutMs?: number;
  /** @default 5 */
  readonly maxReceives?: number;
  /** Journal every queue in `<dataDir>/queues/<name>.jsonl`, so the messages survive a `kill -9`. @default in memory */
  readonly dataDir?: string | undefined;
}

/** A fresh set of campaign queues with their DLQs (replayed from their journals with `dataDir`). */
export const createCampaignQueues = (options: CampaignQueueOptions = {}): CampaignQueues => {
  const journal = (name: string) => (options.dataDir ? { journal: join(options.dataDir, 'queues', `${name}.jsonl`) } : {});
  const plannerDlq = new LocalQueue<unknown>({ name: 'planner-dlq', ...journal('planner-dlq') });
  const sendDlq = new LocalQueue<unknown>({ name: 'send-dlq', ...journal('send-dlq') });
  const sesEventsDlq = new LocalQueue<unknown>({ name: 'ses-events-dlq', ...journal('ses-events-dlq') });
  const common = { visibilityTimeoutMs: options.visibilityTimeoutMs ?? 30_000, maxReceives: options.maxReceives ?? 5 };
  return {
    planner: new LocalQueue({ name: 'planner', deadLetterQueue: plannerDlq, ...common, ...journal('planner') }),
    send: new LocalQueue({ name: 'send', deadLetterQueue: sendDlq, ...common, ...journal('send') }),
    sesEvents: new LocalQueue({ name: 'ses-events', deadLetterQueue: sesEventsDlq, ...common, ...journal('ses-events') }),
    plannerDlq,
    sendDlq,
    sesEventsDlq,
  };
};

/** The queues of a local platform, created by whichever wiring module asks first. */
export const sharedCampaignQueues = (env: Pick<LocalEnv, 'shared' | 'dataDir'>): CampaignQueues => {
  let queues = env.shared.get('campaigns:queues') as CampaignQueues | undefined;
  if (!queues) {
    queues = createCampaignQueues({ dataDir: env.dataDir });
    env.shared.set('campaigns:queues', queues);
  }
  return queues;
};

export interface CampaignWorkerOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sesEndpoint: string;
  readonly publicBaseUrl: string;
  readonly clock: Clock;
  readonly tokenKey: TokenKeyProvider;
  readonly queues: CampaignQueues;
  /** Recipients per second shared by all senders (the DynamoDB fixed-window limiter); none when absent. */
  readonly sendQuotaPerSecond?: number;
  /** @default 2 */
  readonly plannerConcurrency?: number;
  /** @default 4 */
  readonly senderConcurrency?: number;
  /** How long the SES-events consumer gathers a batch (deployed: 5 s). @default 1000 */
  readonly sesEventsBatchingWindowMs?: number;
  /** Planner audience page size. @default 1000 */
  readonly pageSize?: number;
  readonly fault?: FaultHook;
  /** Campaign metrics (counters, failures by reason, throttling, pacer waits). @default none */
  readonly metrics?: CampaignMetrics;
  /** Auto-pause thresholds of the SES-events handler. @default DEFAULT_REPUTATION_THRESHOLDS */
  readonly reputation?: ReputationThresholds;
  /** Overrides of the sender's timing and retry policy (tests shorten them). */
  readonly sender?: Partial<Pick<SenderDeps, 'leaseMs' | 'inDoubtGraceMs' | 'retry' | 'timers' | 'concurrency' | 'sesConcurrency'>>;
  readonly content?: ContentIndex;
  readonly renderEmail?: RenderCampaignEmail;
  /** Told about failed invocations (injected crashes included). */
  readonly onInvocationError?: (worker: string, error: unknown) => void;
  /** @default LOCAL_SENDER_ADDRESS */
  readonly senderAddress?: string;
  /**
   * Enforce each Lambda's configured timeout (the manifest's `timeoutSeconds`; or these, in
   * milliseconds): the handler's context counts it down and an overrun fails the invocation. @default the manifest's
   */
  readonly functionTimeoutsMs?: Partial<Record<'planner' | 'sender' | 'sesEvents', number>>;
}

export interface CampaignWorkers {
  readonly store: DynamoDbCampaignStore;
  readonly recipients: DynamoDbRecipientStore;
  readonly consumers: { planner: Consumer; sender: Consumer; sesEvents: Consumer };
  /** Put an SES event on the events queue (the SES endpoint's `onEvent`). */
  publishSesEvent(event: unknown): void;
  /** Resolves when every queue is empty and no worker is running. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Start planner, sender and SES-events consumers over the given queues. */
export const startCampaignWorkers = (options: CampaignWorkerOptions): CampaignWorkers => {
  const { client, tableName, queues } = options;
  const store = new DynamoDbCampaignStore({ tableName, client, ...(options.metrics ? { metrics: options.metrics } : {}) });
  const recipients = new DynamoDbRecipientStore({ tableName, client, timers: systemTimers });
  const ledger = new DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers });
  const ses = new SESv2Client(localSesClientConfig(options.sesEndpoint));
  const rateLimiter: RateLimiter = options.sendQuotaPerSecond
    ? new PacedRateLimiter({ client, tableName, ratePerSecond: options.sendQuotaPerSecond, clock: systemClock, timers: systemTimers })
    : unlimited;
  const quiet = new Logger({ serviceName: 'campaign-workers', logLevel: 'SILENT' });
  const fault = options.fault;

  const planner = makePlannerHandler({
    store,
    audience: ledger,
    sendQueue: queues.send,
    plannerQueue: queues.planner,
    clock: options.clock,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(fault ? { fault } : {}),
  });
  const sender = makeSenderHandler({
    campaigns: store,
    parking: store,
    runState: store,
    recipients,
    ledger,
    mailer: new SesBulkMailer({ client: ses, fromAddress: options.senderAddress ?? LOCAL_SENDER_ADDRESS, configurationSet: 'disclosure-local' }),
    rateLimiter,
    content: options.content ?? contentIndex,
    renderEmail: options.renderEmail ?? renderCampaignEmail,
    signChoiceToken: async (claims) => signChoiceToken(claims, await options.tokenKey.getKey()),
    publicBaseUrl: options.publicBaseUrl,
    clock: options.clock,
    timers: systemTimers,
    ...(fault ? { fault } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...options.sender,
  });
  // The wait for live attempts runs on real time, as deployed, whatever clock the senders are given.
  const sesEvents = makeSesEventsHandler({
    campaigns: store,
    recipients,
    ledger,
    clock: systemClock,
    timers: systemTimers,
    logger: quiet,
    reputation: { store, clock: options.clock, ...(options.reputation ? { thresholds: options.reputation } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) },
  });
  const onError = (worker: string) => (error: unknown) => options.onInvocationError?.(worker, error);
  const timeouts = {
    planner: options.functionTimeoutsMs?.planner ?? campaignPlannerLambda.timeoutSeconds * 1000,
    sender: options.functionTimeoutsMs?.sender ?? campaignSenderLambda.timeoutSeconds * 1000,
    sesEvents: options.functionTimeoutsMs?.sesEvents ?? sesEventsLambda.timeoutSeconds * 1000,
  };
  const consumers = {
    planner: startConsumer(queues.planner, planner, {
      batchSize: 1,
      concurrency: options.plannerConcurrency ?? 2,
      onInvocationError: onError('planner'),
      timeoutMs: timeouts.planner,
      functionName: 'campaign-planner',
    }),
    sender: startConsumer(queues.send, sender, {
      batchSize: 10,
      concurrency: options.senderConcurrency ?? 4,
      onInvocationError: onError('sender'),
      timeoutMs: timeouts.sender,
      functionName: 'campaign-sender',
    }),
    // As deployed: EventBridge → SQS → the SES-events Lambda, up to 100 events per batch, gathered
    // for a while, so a Send event usually finds the sender's mark already made.
    sesEvents: startConsumer(queues.sesEvents, async (event: SQSEvent) => void (await sesEvents(event)), {
      batchSize: 100,
      batchingWindowMs: options.sesEventsBatchingWindowMs ?? 1000,
      concurrency: 4,
      onInvocationError: onError('ses-events'),
      timeoutMs: timeouts.sesEvents,
      functionName: 'ses-events',
    }),
  };
  return {
    store,
    recipients,
    consumers,
    publishSesEvent: (event) => queues.sesEvents.sendRaw(JSON.stringify(event)),
    drain: () => drainAll([consumers.planner, consumers.sender, consumers.sesEvents]),
    async stop() {
      await Promise.all(Object.values(consumers).map((consumer) => consumer.stop()));
      ses.destroy();
    },
  };
};

/** The local platform's workers (planner, sender, SES events) on the shared queues. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const queues = sharedCampaignQueues(env);
  // On a DATA_DIR the last process may have been killed mid-campaign: re-drive before any worker runs.
  if (env.dataDir) await recover(env, client, queues);
  const workers = startCampaignWorkers({
    client,
    tableName: env.tableName,
    sesEndpoint: env.sesEndpoint,
    publicBaseUrl: env.publicBaseUrl,
    clock: env.clock,
    tokenKey: localTokenKey(env.keyDir),
    queues,
    ...(env.campaignHealth?.metrics ? { metrics: env.campaignHealth.metrics } : {}),
    ...(env.campaignHealth?.reputation ? { reputation: env.campaignHealth.reputation } : {}),
    onInvocationError: (worker, error) => env.log(`${worker}: invocation failed (${(error as Error)?.name ?? 'error'}); SQS-like redelivery follows`),
  });
  env.onSesEvent((event) => workers.publishSesEvent(event));
  env.shared.set('campaigns:workers', workers);
  return {
    stop: async () => {
      await workers.stop();
      client.destroy();
    },
  };
};

const recover = async (env: LocalEnv, client: DynamoDBDocumentClient, queues: CampaignQueues): Promise<void> => {
  const store = new DynamoDbCampaignStore({ tableName: env.tableName, client });
  const recipients = new DynamoDbRecipientStore({ tableName: env.tableName, client, timers: systemTimers });
  const ledger = new DynamoDbAcceptanceStore({ tableName: env.tableName, client, timers: systemTimers });
  const report = await recoverCampaigns({
    client,
    tableName: env.tableName,
    store,
    recipients,
    plannerQueue: queues.planner,
    sesEvents: { campaigns: store, recipients, ledger, clock: systemClock, timers: systemTimers },
    accepted: env.sesAccepted(),
    now: () => env.clock.now(),
  });
  if (report.campaigns > 0) {
    env.log(
      `recovery: ${report.campaigns} campaign(s), ${report.plansResumed} plan cursor(s) resumed, ${report.settled} in-flight recipient(s) settled from SES, ${report.released} released, counter correction ${report.countersCorrected}; queued: planner ${queues.planner.depth}, send ${queues.send.depth}, ses-events ${queues.sesEvents.depth}`,
    );
  }
};
