/**
 * Local wiring of the choices Lambda and the campaign scheduler: the real handlers on the
 * embedded engine, the choice-token key generated into `keyDir`, choice events kept in memory
 * (and logged without personal data), the scheduler on a local timer. The demo and tests reach
 * the scheduler and the events through `env.shared` (`choices:scheduler`, `choices:events`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbLateMarkerStore } from '../../functions/campaigns/dynamodb/late-store.ts';
import { makeHandler as makeSchedulerHandler } from '../../functions/lambdas/campaign-scheduler.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { DynamoDbSweepStore } from '../../functions/campaigns/dynamodb/sweep-store.ts';
import { DynamoDbChoiceOutbox } from '../../functions/campaigns/dynamodb/outbox-store.ts';
import type { SweepReport } from '../../functions/campaigns/sweeps.ts';
import { campaignSchedulerLambda } from '../../functions/manifest.ts';
import { InMemoryChoicePublisher } from '../../functions/campaigns/events.ts';
import { localTokenKey } from '../../functions/campaigns/token-key.ts';
import { makeHandler } from '../../functions/lambdas/choices.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import type { LocalEnv, LocalWiring } from '../env.ts';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { retryBlockedCampaign } from '../../functions/campaigns/blocked.ts';
import { SesV2AccountReader } from '../../functions/campaigns/ses-account.ts';
import { checkSesReadiness } from '../../functions/campaigns/ses-readiness.ts';
import { LOCAL_SENDER_IDENTITY, localSesClientConfig, sharedCampaignQueues } from './workers.ts';

/** What `env.shared.get('choices:scheduler')` holds. */
export interface LocalScheduler {
  /** One scheduler run at the platform clock's now (what the hourly schedule does in AWS). */
  runOnce(): Promise<SweepReport>;
}

/** How often the local platform runs the scheduler (AWS: hourly). */
const LOCAL_SCHEDULE_MS = 60_000;
const REMINDER_DAYS = 7;

/** Build the choices handler and the scheduler for the local platform. */
export const createLocal = async (env: LocalEnv): Promise<LocalWiring> => {
  const client = createDocumentClient({ endpoint: env.dynamo.endpoint, region: env.dynamo.region, credentials: env.dynamo.credentials });
  const campaigns = new DynamoDbCampaignStore({ tableName: env.tableName, client, ...(env.campaignHealth?.metrics ? { metrics: env.campaignHealth.metrics } : {}) });
  const ledger = new DynamoDbAcceptanceStore({ tableName: env.tableName, client });
  const choices = new DynamoDbRecipientStore({ tableName: env.tableName, client });
  const events = new InMemoryChoicePublisher((event) =>
    env.log(`ChoiceRecorded: ${event.campaignId} ${event.option}${event.defaulted ? ' (defaulted)' : ''}`),
  );
  env.shared.set('choices:events', events);
  const outbox = new DynamoDbChoiceOutbox({ tableName: env.tableName, client });

  const handler = makeHandler({
    content: contentIndex,
    // The origin the emails link to: a browser's form post from the choice page comes from it.
    publicBaseUrl: env.publicBaseUrl,
    clock: env.clock,
    logger: new Logger({ serviceName: 'choices', logLevel: 'WARN' }),
    tokenKey: localTokenKey(env.keyDir),
    campaigns,
    ledger,
    choices,
    events,
    outbox,
  });

  const sendQueue = sharedCampaignQueues(env).send;
  const ses = new SESv2Client(localSesClientConfig(env.sesEndpoint));
  const sesReader = new SesV2AccountReader(ses);
  const schedulerLog = (message: string, fields?: Record<string, unknown>) => env.log(`scheduler: ${message} ${JSON.stringify(fields ?? {})}`);
  const runScheduler = makeSchedulerHandler({
    content: contentIndex,
    clock: env.clock,
    campaigns,
    ledger,
    choices,
    events,
    outbox,
    sweeps: new DynamoDbSweepStore({ tableName: env.tableName, client }),
    late: new DynamoDbLateMarkerStore({ tableName: env.tableName, client }),
    recipients: choices,
    contacts: ledger,
    sendQueue,
    reminderDays: REMINDER_DAYS,
    retryBlocked: (campaign) =>
      retryBlockedCampaign(
        {
          readiness: () => checkSesReadiness(sesReader, { identity: LOCAL_SENDER_IDENTITY }),
          control: { store: campaigns, content: contentIndex, clock: env.clock, sendQueue },
          log: schedulerLog,
        },
        campaign,
      ),
    log: schedulerLog,
  });
  let running: Promise<unknown> = Promise.resolve();
  const scheduler: LocalScheduler = {
    // Runs never overlap, like a schedule with a single concurrent execution; each has the
    // deployed function's timeout as its time budget, counted down in real time.
    runOnce: () => {
      const run = running.then(() => {
        const deadline = Date.now() + campaignSchedulerLambda.timeoutSeconds * 1000;
        return runScheduler({}, { getRemainingTimeInMillis: () => deadline - Date.now() });
      });
      running = run.catch(() => undefined);
      return run;
    },
  };
  env.shared.set('choices:scheduler', scheduler);
  const timer = setInterval(() => {
    scheduler.runOnce().catch((error: unknown) => env.log(`scheduler: run failed (${(error as Error)?.name ?? 'error'})`));
  }, LOCAL_SCHEDULE_MS);
  timer.unref();

  return {
    handler: handler,
    stop: async () => {
      clearInterval(timer);
      await running;
      client.destroy();
      ses.destroy();
    },
  };
};
