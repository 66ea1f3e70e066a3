/** Campaign sender Lambda (SQS send queue, `ReportBatchItemFailures`): a thin adapter over `sendBatch`. */
import { Logger } from '@aws-lambda-powertools/logger';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { renderCampaignEmail } from '../campaigns/email.ts';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb/campaign-store.ts';
import { PacedRateLimiter } from '../campaigns/dynamodb/rate-limiter.ts';
import { DynamoDbRecipientStore } from '../campaigns/dynamodb/recipient-store.ts';
import { type SenderDeps, sendBatch } from '../campaigns/sender.ts';
import { SesBulkMailer } from '../campaigns/ses-mailer.ts';
import { PowertoolsCampaignMetrics } from '../campaigns/powertools-metrics.ts';
import { secretsManagerTokenKey } from '../campaigns/token-key.ts';
import { contentIndex } from '../content/index-artifact.ts';
import { systemClock, systemTimers } from '../core/clock.ts';
import { signChoiceToken } from '../core/tokens.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { campaignIdsOfRecords, withLambdaContext } from '../logging.ts';
import { campaignSenderLambda } from '../manifest.ts';

/** Build the handler over its dependencies: the batch is sent within the invocation's remaining time (no context: unbounded, tests only). */
export const makeHandler =
  (deps: SenderDeps) =>
  async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> =>
    sendBatch(deps, event.Records, context && (() => context.getRemainingTimeInMillis()));

/** Dependencies from the Lambda environment; SDK clients built once per container (captured by the tracer when tracing is on). */
export const defaultDeps = async (): Promise<SenderDeps> => {
  const env = lambdaEnvironment(campaignSenderLambda);
  const tableName = env.TABLE_NAME;
  const trace = await sdkCapture();
  const client = trace(createDocumentClient());
  const tokenKey = secretsManagerTokenKey(trace(new SecretsManagerClient({})), env.TOKEN_SECRET_ARN);
  const metrics = new PowertoolsCampaignMetrics();
  const campaigns = new DynamoDbCampaignStore({ tableName, client, metrics });
  return {
    campaigns,
    parking: campaigns,
    runState: campaigns,
    recipients: new DynamoDbRecipientStore({ tableName, client, timers: systemTimers }),
    ledger: new DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers }),
    // The sender retries with its own backoff and quota; SDK retries would hide calls from both.
    mailer: new SesBulkMailer({ client: trace(new SESv2Client({ maxAttempts: 1 })), fromAddress: env.SENDER_ADDRESS, configurationSet: env.CONFIGURATION_SET }),
    rateLimiter: new PacedRateLimiter({ client, tableName, ratePerSecond: env.SEND_QUOTA_PER_SECOND, clock: systemClock, timers: systemTimers }),
    content: contentIndex,
    renderEmail: renderCampaignEmail,
    signChoiceToken: async (claims) => signChoiceToken(claims, await tokenKey.getKey()),
    publicBaseUrl: env.PUBLIC_BASE_URL,
    clock: systemClock,
    timers: systemTimers,
    metrics,
    log: (message, fields) => logger.info(message, fields ?? {}),
  };
};

/** The Lambda's logger: its service name is `POWERTOOLS_SERVICE_NAME` from the template. */
const logger = new Logger();

export const handler = withLambdaContext(logger, lazyEntry(defaultDeps, makeHandler), campaignIdsOfRecords((body) => body['campaignId']));
