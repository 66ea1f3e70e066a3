/**
 * The choices Lambda: `GET /choices/{token}` shows the choice page and changes nothing (mail
 * scanners prefetch links); `POST /choices/{token}` records the choice and confirms it. The
 * token is the capability, so the form needs no CSRF token. Browsers get HTML pages, errors
 * included; API clients that ask for JSON get JSON and problem+json.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import Negotiator from 'negotiator';
import { ChoiceClosedError, DynamoDbChoiceStore, openChoice, parseOption, recordChoice, type ChoiceDeps } from '../campaigns/choices.ts';
import { EventBridgeChoicePublisher } from '../campaigns/events.ts';
import { CampaignStore } from '../campaigns/store.ts';
import { secretsManagerTokenKey } from '../campaigns/token-key.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { InvalidInputError } from '../core/errors.ts';
import { ipPrefix } from '../core/ip-prefix.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { choicesLambda } from '../manifest.ts';
import { httpStack, type HttpEvent, type HttpHandler, type HttpResult } from '../http/middleware.ts';
import { toProblem } from '../http/problem.ts';
import { PAGE_LANGUAGES, pageSecurityHeaders, renderChoicePage, renderConfirmationPage, renderErrorPage, type RenderedPage } from '../campaigns/choice-pages.ts';

export interface ChoicesHandlerDeps extends ChoiceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A form post is one short field; anything bigger is not ours. */
const MAX_BODY_BYTES = 4096;
const MAX_HEADER_LENGTH = 1024;
const OFFERED = ['text/html', 'application/json', 'application/problem+json'];

const wantsJson = (event: HttpEvent): boolean => {
  const accept = event.headers?.['accept'];
  if (!accept) return false;
  const [best] = new Negotiator({ headers: { accept: accept.slice(0, MAX_HEADER_LENGTH) } }).mediaTypes(OFFERED);
  return best !== undefined && best !== 'text/html';
};

const browserLanguages = (event: HttpEvent): string[] => {
  const acceptLanguage = event.headers?.['accept-language']?.slice(0, MAX_HEADER_LENGTH);
  const preferred = new Negotiator({ headers: { 'accept-language': acceptLanguage ?? '' } }).languages([...PAGE_LANGUAGES]);
  return preferred.length > 0 ? preferred : [PAGE_LANGUAGES[0]];
};

const htmlResponse = (statusCode: number, page: RenderedPage): HttpResult => ({
  statusCode,
  headers: {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Language': page.language,
    Vary: 'Accept, Accept-Language',
    ...pageSecurityHeaders(),
  },
  body: page.html,
});

const jsonResponse = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', Vary: 'Accept', ...pageSecurityHeaders() },
  body: JSON.stringify(body),
});

/** The `option` field of a form (or JSON) body; bad bodies are the caller's error, never a 5xx. */
const optionFromBody = (event: HttpEvent): unknown => {
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw Object.assign(new Error('the form is too large'), { statusCode: 413 });
  const contentType = (event.headers?.['content-type'] ?? '').toLowerCase();
  if (contentType.includes('json')) {
    try {
      return (JSON.parse(raw) as { option?: unknown } | null)?.option;
    } catch {
      throw new InvalidInputError('the body is not valid JSON');
    }
  }
  return new URLSearchParams(raw).get('option') ?? undefined;
};

/** Build the choices handler over its dependencies. */
export const makeHandler = (deps: ChoicesHandlerDeps) => {
  const { logger } = deps;

  const getChoice = async (event: HttpEvent, token: string): Promise<HttpResult> => {
    const view = await openChoice(deps, token, deps.clock.now());
    if (wantsJson(event)) {
      return jsonResponse(200, {
        campaignId: view.campaign.campaignId,
        noticeId: view.campaign.noticeId,
        version: view.campaign.version,
        deadline: view.campaign.deadline,
        options: view.options,
        choice: view.current ?? null,
      });
    }
    return htmlResponse(200, renderChoicePage(deps.content, view, parseOption(event.queryStringParameters?.['option'])));
  };

  const postChoice = async (event: HttpEvent, token: string): Promise<HttpResult> => {
    const source = {
      ...(event.requestContext?.http?.sourceIp ? { ipPrefix: ipPrefix(event.requestContext.http.sourceIp) } : {}),
      ...(event.headers?.['user-agent'] ? { userAgent: event.headers['user-agent'] } : {}),
    };
    const result = await recordChoice(deps, { token, option: optionFromBody(event), source, now: deps.clock.now() });
    logger.info('choice recorded', { campaignId: result.choice.campaignId, option: result.choice.option, changed: result.replaced !== undefined });
    if (wantsJson(event)) return jsonResponse(200, { ...result.choice, ...(result.replaced ? { replaced: result.replaced } : {}) });
    return htmlResponse(200, renderConfirmationPage(deps.content, result.view, result.choice));
  };

  /** Past the deadline the link is authentic but closed: say so in the recipient's language, with what was recorded. */
  const closedChoicePage = async (error: ChoiceClosedError, event: HttpEvent): Promise<RenderedPage> => {
    const campaign = await deps.campaigns.getCampaign(error.claims.campaignId);
    const state = campaign ? await deps.ledger.getState(error.claims.accountId, campaign.noticeId) : undefined;
    const recorded = state?.choice?.campaignId === error.claims.campaignId ? state.choice : undefined;
    return renderErrorPage(410, state ? [state.language, ...browserLanguages(event)] : browserLanguages(event), recorded);
  };

  const route: HttpHandler = async (event) => {
    try {
      const token = event.pathParameters?.['token'];
      if (!token) throw Object.assign(new Error('no choice token'), { statusCode: 404 });
      const method = event.requestContext?.http?.method;
      if (method === 'GET') return await getChoice(event, token);
      if (method === 'POST') return await postChoice(event, token);
      throw Object.assign(new Error('use GET or POST'), { statusCode: 405 });
    } catch (error) {
      if (wantsJson(event)) throw error; // the shared stack turns it into problem+json
      const { status } = toProblem(error);
      if (status >= 500) logger.error('unexpected error', { errorName: (error as Error | null)?.name ?? typeof error });
      if (error instanceof ChoiceClosedError) return htmlResponse(status, await closedChoicePage(error, event));
      return htmlResponse(status, renderErrorPage(status, browserLanguages(event)));
    }
  };

  return httpStack(route, {
    onUnexpectedError: (error) => logger.error('unexpected error', { errorName: (error as Error | null)?.name ?? typeof error }),
  });
};

/** Dependencies from the Lambda environment: `TABLE_NAME`, `TOKEN_SECRET_ARN`, `EVENT_BUS_NAME`; clients built once. */
export const defaultDeps = async (): Promise<ChoicesHandlerDeps> => {
  const { TABLE_NAME: tableName, TOKEN_SECRET_ARN: secretArn, EVENT_BUS_NAME: eventBusName } = lambdaEnvironment(choicesLambda);
  const [{ SecretsManagerClient }, { EventBridgeClient }, { createDocumentClient, DynamoDbAcceptanceStore }, { contentIndex }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-sdk/client-eventbridge'),
    import('../ledger/dynamodb-store.ts'),
    import('../content/index-artifact.ts'),
  ]);
  const client = createDocumentClient();
  return {
    content: contentIndex,
    clock: systemClock,
    logger: new Logger({ serviceName: 'choices' }),
    tokenKey: secretsManagerTokenKey(new SecretsManagerClient({}), secretArn),
    campaigns: new CampaignStore({ tableName, client }),
    ledger: new DynamoDbAcceptanceStore({ tableName, client }),
    choices: new DynamoDbChoiceStore({ tableName, client }),
    events: new EventBridgeChoicePublisher({ client: new EventBridgeClient({}), eventBusName }),
  };
};

let defaultHandler: Promise<ReturnType<typeof makeHandler>> | undefined;

/** The Lambda entry: dependencies are built on the first invocation of a container and kept. */
export const handler = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
  defaultHandler ??= defaultDeps().then(makeHandler);
  return (await defaultHandler)(event, context);
};
