/** Campaigns API Lambda (admin): `POST /v1/campaigns` (dry run or start) and `GET /v1/campaigns/{campaignId}`. */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { renderCampaignEmail } from '../campaigns/email.ts';
import { type CampaignServiceDeps, campaignProgress, dryRunCampaign, startCampaign } from '../campaigns/progress.ts';
import { SqsQueue } from '../campaigns/queue.ts';
import { CampaignStore } from '../campaigns/store.ts';
import { contentIndex } from '../content/index-artifact.ts';
import { authorizeAdmin } from '../core/authorization.ts';
import { systemClock } from '../core/clock.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { campaignsApiLambda } from '../manifest.ts';
import { type HttpEvent, type HttpResult, httpStack } from '../http/middleware.ts';
import { principalFromEvent } from '../http/principal.ts';
import { campaignIdSchema, startCampaignRequestSchema } from '../http/schemas/campaigns.ts';

const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

const invalid = (error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, what: string): InvalidInputError =>
  new InvalidInputError(
    `invalid ${what}`,
    error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })),
  );

/** Build the handler over its dependencies (or a lazy factory, so importing never reads the environment). */
export const makeHandler = (deps: CampaignServiceDeps | (() => CampaignServiceDeps)) => {
  let resolved: CampaignServiceDeps | undefined;
  const route = async (event: HttpEvent): Promise<HttpResult> => {
    authorizeAdmin(principalFromEvent(event));
    resolved ??= typeof deps === 'function' ? deps() : deps;
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    if (method === 'POST' && path === '/v1/campaigns') {
      const parsed = startCampaignRequestSchema.safeParse(event.body ?? {});
      if (!parsed.success) throw invalid(parsed.error, 'campaign request');
      if (parsed.data.dryRun) return jsonResponse(200, await dryRunCampaign(resolved, parsed.data));
      const { created, progress } = await startCampaign(resolved, parsed.data);
      return jsonResponse(created ? 202 : 200, progress, { Location: `/v1/campaigns/${progress.campaignId}` });
    }
    const match = /^\/v1\/campaigns\/([^/]+)$/.exec(path);
    if (method === 'GET' && match) {
      let campaignId: string;
      try {
        campaignId = decodeURIComponent(match[1]!);
      } catch {
        throw new InvalidInputError('malformed campaign id', [{ path: 'campaignId', message: 'not URL-encoded correctly' }]);
      }
      const parsed = campaignIdSchema.safeParse(campaignId);
      if (!parsed.success) throw invalid(parsed.error, 'campaign id');
      return jsonResponse(200, await campaignProgress(resolved, parsed.data));
    }
    throw new NotFoundError('no such campaign route');
  };
  // Only POST carries a body: the JSON parser would refuse a GET without a Content-Type.
  const withBody = httpStack(async (event) => route(event), { body: 'json' });
  const withoutBody = httpStack(async (event) => route(event));
  return (event: HttpEvent, context: Context) =>
    event.requestContext?.http?.method === 'POST' ? withBody(event, context) : withoutBody(event, context);
};

/** Dependencies from the Lambda environment; SDK clients built once per container. */
export const defaultDeps = (): CampaignServiceDeps => {
  const env = lambdaEnvironment(campaignsApiLambda);
  const tableName = env.TABLE_NAME;
  const client = createDocumentClient();
  return {
    store: new CampaignStore({ tableName, client }),
    audience: new DynamoDbAcceptanceStore({ tableName, client }),
    plannerQueue: new SqsQueue({ client: new SQSClient({}), queueUrl: env.PLANNER_QUEUE_URL }),
    content: contentIndex,
    renderEmail: renderCampaignEmail,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    clock: systemClock,
    informationalByDefault: env.INFORMATIONAL_EMAILS,
  };
};

export const handler = makeHandler(defaultDeps);
