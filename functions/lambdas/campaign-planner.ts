/** Campaign planner Lambda (SQS planner queue): one (campaign, region, shard) per message, resumable. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InjectedCrashError } from '../campaigns/errors.ts';
import { plannerMessageSchema } from '../campaigns/messages.ts';
import { type PlannerDeps, planShard } from '../campaigns/planner.ts';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb/campaign-store.ts';
import { SqsQueue } from '../campaigns/queue.ts';
import { systemClock, systemTimers } from '../core/clock.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { campaignIdsOfRecords, withLambdaContext } from '../logging.ts';
import { campaignPlannerLambda } from '../manifest.ts';

export interface PlannerHandlerDeps extends PlannerDeps {
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Build the handler; each record is planned on its own, failures reported per record (Powertools batch). */
export const makeHandler = (deps: PlannerHandlerDeps) => {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    // One processor per invocation: it holds the batch's records and failures, and the local
    // platform (unlike a Lambda environment) runs invocations of one handler concurrently.
    const processor = new BatchProcessor(EventType.SQS);
    let crash: InjectedCrashError | undefined;
    const planRecord = async (record: SQSRecord): Promise<void> => {
      let message;
      try {
        message = plannerMessageSchema.parse(JSON.parse(record.body));
      } catch (error) {
        deps.log?.('planner message rejected: malformed', { messageId: record.messageId });
        throw error;
      }
      try {
        const result = await planShard(deps, message);
        deps.log?.('planned', { ...message, ...result });
      } catch (error) {
        if (error instanceof InjectedCrashError) crash = error;
        else deps.log?.('planning failed; SQS will redeliver', { ...message, error: (error as Error)?.name });
        throw error;
      }
    };
    // Every record failing is still a partial response (each reported), not a thrown batch.
    const response = await processPartialResponse(event, planRecord, processor, { throwOnFullBatchFailure: false, processInParallel: false });
    if (crash) throw crash; // a simulated crash ends the whole invocation
    return response;
  };
};

/** Dependencies from the Lambda environment; SDK clients captured by the tracer when tracing is on. */
export const defaultDeps = async (): Promise<PlannerHandlerDeps> => {
  const env = lambdaEnvironment(campaignPlannerLambda);
  const tableName = env.TABLE_NAME;
  const trace = await sdkCapture();
  const client = trace(createDocumentClient());
  const sqs = trace(new SQSClient({}));
  return {
    store: new DynamoDbCampaignStore({ tableName, client }),
    audience: new DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers }),
    sendQueue: new SqsQueue({ client: sqs, queueUrl: env.SEND_QUEUE_URL, timers: systemTimers }),
    clock: systemClock,
    // A very large shard continues in a fresh invocation instead of running into the timeout.
    plannerQueue: new SqsQueue({ client: sqs, queueUrl: env.PLANNER_QUEUE_URL, timers: systemTimers }),
    log: (message, fields) => logger.info(message, fields ?? {}),
  };
};

/** The Lambda's logger: its service name is `POWERTOOLS_SERVICE_NAME` from the template. */
const logger = new Logger();

export const handler = withLambdaContext(logger, lazyEntry(defaultDeps, makeHandler), campaignIdsOfRecords((body) => body['campaignId']));
