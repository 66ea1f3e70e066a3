/**
 * The choices Lambda: `GET /choices/{token}` shows the choice page and changes nothing (mail
 * scanners prefetch links); `POST /choices/{token}` records the choice and confirms it. The
 * token is the capability, so the form needs no CSRF token. Browsers get HTML pages, errors
 * included; API clients that ask for JSON get JSON and problem+json.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { renderChoicePage, renderConfirmationPage } from '../campaigns/choice-pages.ts';
import { openChoice, parseOption, recordChoice, type ChoiceDeps } from '../campaigns/choices.ts';
import { DynamoDbCampaignStore } from '../campaigns/dynamodb/campaign-store.ts';
import { PowertoolsCampaignMetrics } from '../campaigns/powertools-metrics.ts';
import { DynamoDbRecipientStore } from '../campaigns/dynamodb/recipient-store.ts';
import { DynamoDbChoiceOutbox } from '../campaigns/dynamodb/outbox-store.ts';
import { EventBridgeChoicePublisher } from '../campaigns/events.ts';
import { secretsManagerTokenKey } from '../campaigns/token-key.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { lazyEntry } from '../lambda-entry.ts';
import { sdkCapture } from '../tracing.ts';
import { choicesLambda } from '../manifest.ts';
import { assertSameSite, choiceSource, optionFromBody, wantsJson } from '../http/choice-request.ts';
import { choiceErrorResponse, choiceJsonResponse, choicePageResponse } from '../http/choice-responses.ts';
import type { HttpEvent, HttpHandler } from '../http/middleware.ts';
import { httpRouter } from '../http/router.ts';
import { httpError } from '../http/http-error.ts';
import { originVerifier, type OriginVerifier } from '../http/origin-verify.ts';

export interface ChoicesHandlerDeps extends ChoiceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The origin the choice pages are served from (`PUBLIC_BASE_URL`): a browser POST from any other is refused. */
  readonly publicBaseUrl?: string;
  /** Refuses requests that bypassed CloudFront (`ORIGIN_VERIFY_VALUES`). @default none: off */
  readonly originVerifier?: OriginVerifier;
}

const noChoiceToken = (): Error => httpError(404, 'no choice token');

const tokenOf = (event: HttpEvent): string => {
  const token = event.pathParameters?.['token'];
  if (!token) throw noChoiceToken();
  return token;
};

/** Build the choices handler over its dependencies. */
export const makeHandler = (deps: ChoicesHandlerDeps): HttpHandler => {
  const { logger } = deps;

  const getChoice: HttpHandler = async (event) => {
    const view = await openChoice(deps, tokenOf(event), deps.clock.now());
    if (wantsJson(event)) {
      return choiceJsonResponse(200, {
        campaignId: view.campaign.campaignId,
        noticeId: view.campaign.noticeId,
        version: view.campaign.version,
        deadline: view.campaign.deadline,
        options: view.options,
        choice: view.current ?? null,
      });
    }
    return choicePageResponse(200, renderChoicePage(deps.content, view, parseOption(event.queryStringParameters?.['option'])));
  };

  const postChoice: HttpHandler = async (event) => {
    const token = tokenOf(event);
    assertSameSite(event, deps.publicBaseUrl);
    const result = await recordChoice(deps, { token, option: optionFromBody(event), source: choiceSource(event), now: deps.clock.now() });
    logger.info(result.unchanged ? 'choice unchanged' : 'choice recorded', {
      campaignId: result.choice.campaignId,
      option: result.choice.option,
      seq: result.choice.seq,
      changed: result.replaced !== undefined,
    });
    if (wantsJson(event)) return choiceJsonResponse(200, { ...result.choice, ...(result.replaced ? { replaced: result.replaced } : {}) });
    return choicePageResponse(200, renderConfirmationPage(deps.content, result.view, result.choice));
  };

  return httpRouter(
    choicesLambda,
    { 'GET /choices/{token}': { handler: getChoice }, 'POST /choices/{token}': { handler: postChoice } },
    {
      notFound: noChoiceToken,
      methodNotAllowed: () => httpError(405, 'use GET or POST'),
      errorResponse: choiceErrorResponse(deps),
      logger,
      ...(deps.originVerifier ? { originVerifier: deps.originVerifier } : {}),
    },
  );
};

/** Dependencies from the Lambda environment: `TABLE_NAME`, `TOKEN_SECRET_ARN`, `EVENT_BUS_NAME`; clients built once. */
export const defaultDeps = async (): Promise<ChoicesHandlerDeps> => {
  const {
    TABLE_NAME: tableName,
    TOKEN_SECRET_ARN: secretArn,
    EVENT_BUS_NAME: eventBusName,
    PUBLIC_BASE_URL: publicBaseUrl,
    CHOICE_CHANGE_LIMIT: maxChoiceChanges,
    ORIGIN_VERIFY_VALUES: originValues,
  } = lambdaEnvironment(choicesLambda);
  const [{ SecretsManagerClient }, { EventBridgeClient }, { createDocumentClient, DynamoDbAcceptanceStore }, { contentIndex }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-sdk/client-eventbridge'),
    import('../ledger/dynamodb-store.ts'),
    import('../content/index-artifact.ts'),
  ]);
  const trace = await sdkCapture();
  const client = trace(createDocumentClient());
  // Service name from POWERTOOLS_SERVICE_NAME (the template's), never set here.
  const logger = new Logger();
  return {
    content: contentIndex,
    publicBaseUrl,
    maxChoiceChanges,
    originVerifier: originVerifier(originValues),
    onPublishFailure: (error) => logger.warn('choice event left in the outbox for the drain', { errorName: (error as Error | null)?.name ?? typeof error }),
    clock: systemClock,
    logger,
    tokenKey: secretsManagerTokenKey(trace(new SecretsManagerClient({})), secretArn),
    campaigns: new DynamoDbCampaignStore({ tableName, client, metrics: new PowertoolsCampaignMetrics() }),
    ledger: new DynamoDbAcceptanceStore({ tableName, client }),
    choices: new DynamoDbRecipientStore({ tableName, client }),
    events: new EventBridgeChoicePublisher({ client: trace(new EventBridgeClient({})), eventBusName }),
    outbox: new DynamoDbChoiceOutbox({ tableName, client }),
  };
};

/** The Lambda entry: dependencies are built on the first invocation of a container and kept. */
export const handler = lazyEntry(defaultDeps, makeHandler);
