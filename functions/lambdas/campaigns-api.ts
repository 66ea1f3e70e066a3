/** Campaigns API Lambda (admin): dry run or start (SES readiness checked), progress, list, pause/resume, retry-failed. */
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { renderCampaignEmail } from '../campaigns/email.ts';
import { type CampaignServiceDeps, campaignProgress, dryRunCampaign, startCampaign } from '../campaigns/progress.ts';
import { SqsQueue } from '../campaigns/queue.ts';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb/campaign-store.ts';
import { contentIndex } from '../content/index-artifact.ts';
import { authorizeAdmin } from '../core/authorization.ts';
import { systemClock } from '../core/clock.ts';
import { NotFoundError } from '../core/errors.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { campaignsApiLambda } from '../manifest.ts';
import type { HttpEvent, HttpHandler } from '../http/middleware.ts';
import { parseOrThrow } from '../http/parse.ts';
import { principalFromEvent } from '../http/principal.ts';
import { jsonResponse } from '../http/responses.ts';
import { jsonBody } from '../http/json-body.ts';
import { httpRouter } from '../http/router.ts';
import { originVerifier, type OriginVerifier } from '../http/origin-verify.ts';
import { campaignIdSchema, controlCampaignRequestSchema, listCampaignsQuerySchema, startCampaignRequestSchema } from '../http/schemas/campaigns.ts';
import { type CampaignControlDeps, controlCampaign, listCampaigns } from '../campaigns/control.ts';
import { type RetryFailedDeps, retryFailed } from '../campaigns/retry-failed.ts';
import { DynamoDbRecipientStore } from '../campaigns/dynamodb/recipient-store.ts';
import { SesV2AccountReader } from '../campaigns/ses-account.ts';
import { checkSesReadiness } from '../campaigns/ses-readiness.ts';
import { SESv2Client } from '@aws-sdk/client-sesv2';

const invalid = (what: string) => ({ detail: () => `invalid ${what}`, rootPath: '(body)' });

/** The use cases' dependencies and the logger every request's lines (and unexpected errors) go through. */
export type CampaignsApiDeps = CampaignServiceDeps &
  CampaignControlDeps & {
    readonly logger?: Logger;
    /** The campaign and recipient items `retry-failed` reads and moves; without them that route answers 404. */
    readonly retry?: Pick<RetryFailedDeps, 'campaigns' | 'recipients'>;
    /** Refuses public-API requests that bypassed CloudFront (`ORIGIN_VERIFY_VALUES`). @default none: off */
    readonly originVerifier?: OriginVerifier;
  };

/** Build the handler over its dependencies. */
export const makeHandler = (deps: CampaignsApiDeps): HttpHandler => {

  const postCampaign: HttpHandler = async (event) => {
    const request = parseOrThrow(startCampaignRequestSchema, event.body ?? {}, invalid('campaign request'));
    if (request.dryRun) return jsonResponse(200, await dryRunCampaign(deps, request));
    const { created, progress } = await startCampaign(deps, request);
    return jsonResponse(created ? 202 : 200, progress, { Location: `/v1/campaigns/${progress.campaignId}` });
  };

  const listCampaignsRoute: HttpHandler = async (event) => {
    const query = parseOrThrow(listCampaignsQuerySchema, event.queryStringParameters ?? {}, invalid('query'));
    return jsonResponse(200, await listCampaigns(deps, { limit: query.limit ?? 20, ...(query.cursor ? { cursor: query.cursor } : {}) }));
  };

  const control = (action: 'pause' | 'resume'): HttpHandler => async (event) => {
    const campaignId = parseOrThrow(campaignIdSchema, event.pathParameters?.['campaignId'], invalid('campaign id'));
    const body = event.body === undefined || event.body === null || event.body === '' ? {} : event.body;
    const { reason } = parseOrThrow(controlCampaignRequestSchema, body, invalid('control request'));
    return jsonResponse(200, await controlCampaign(deps, campaignId, action, reason));
  };

  const retryFailedRoute: HttpHandler = async (event) => {
    const campaignId = parseOrThrow(campaignIdSchema, event.pathParameters?.['campaignId'], invalid('campaign id'));
    if (!deps.retry || !deps.sendQueue) throw new NotFoundError('retry-failed is not available here');
    return jsonResponse(200, await retryFailed({ ...deps.retry, sendQueue: deps.sendQueue, clock: deps.clock }, campaignId));
  };

  const getCampaign: HttpHandler = async (event) => {
    const campaignId = parseOrThrow(campaignIdSchema, event.pathParameters?.['campaignId'], invalid('campaign id'));
    return jsonResponse(200, await campaignProgress(deps, campaignId));
  };

  return httpRouter(
    campaignsApiLambda,
    {
      // Only POST carries a body: the JSON parser would refuse a GET without a Content-Type.
      'POST /v1/campaigns': { handler: postCampaign, body: jsonBody },
      'GET /v1/campaigns': { handler: listCampaignsRoute },
      'GET /v1/campaigns/{campaignId}': { handler: getCampaign },
      'POST /v1/campaigns/{campaignId}/pause': { handler: control('pause'), body: jsonBody },
      'POST /v1/campaigns/{campaignId}/resume': { handler: control('resume'), body: jsonBody },
      'POST /v1/campaigns/{campaignId}/retry-failed': { handler: retryFailedRoute },
    },
    {
      // Admin only, unknown paths included: nobody else learns which routes exist.
      authorize: (event: HttpEvent) => authorizeAdmin(principalFromEvent(event)),
      notFound: () => new NotFoundError('no such campaign route'),
      logger: deps.logger,
      ...(deps.originVerifier ? { originVerifier: deps.originVerifier } : {}),
    },
  );
};

/** Dependencies from the Lambda environment; SDK clients built once per container (captured by the tracer when tracing is on). */
export const defaultDeps = async (): Promise<CampaignsApiDeps> => {
  const env = lambdaEnvironment(campaignsApiLambda);
  const tableName = env.TABLE_NAME;
  const trace = await sdkCapture();
  const client = trace(createDocumentClient());
  const sqs = trace(new SQSClient({}));
  const ses = new SesV2AccountReader(trace(new SESv2Client({})));
  const store = new DynamoDbCampaignStore({ tableName, client });
  return {
    store,
    retry: { campaigns: store, recipients: new DynamoDbRecipientStore({ tableName, client }) },
    readiness: () => checkSesReadiness(ses, { identity: env.SENDER_IDENTITY, ratePerSecond: env.SEND_QUOTA_PER_SECOND }),
    audience: new DynamoDbAcceptanceStore({ tableName, client }),
    plannerQueue: new SqsQueue({ client: sqs, queueUrl: env.PLANNER_QUEUE_URL }),
    sendQueue: new SqsQueue({ client: sqs, queueUrl: env.SEND_QUEUE_URL }),
    content: contentIndex,
    renderEmail: renderCampaignEmail,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    clock: systemClock,
    informationalByDefault: env.INFORMATIONAL_EMAILS,
    originVerifier: originVerifier(env.ORIGIN_VERIFY_VALUES),
    // Service name from POWERTOOLS_SERVICE_NAME (the template's), never set here.
    logger: new Logger(),
  };
};

export const handler = lazyEntry(defaultDeps, makeHandler);
