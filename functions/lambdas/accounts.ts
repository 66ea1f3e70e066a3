/**
 * The accounts Lambda: acceptances, evidence history, status and contact of one account.
 * Each route authorises the principal for the path's account, validates with the shared zod
 * schemas, calls one ledger use case and maps its result; errors become problem+json in httpStack.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import httpRouterHandler from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { systemClock, type Clock } from '../core/clock.ts';
import { authorizeAccount } from '../core/authorization.ts';
import { httpStack, type HttpEvent, type HttpHandler, type HttpResult } from '../http/middleware.ts';
import { principalFromEvent } from '../http/principal.ts';
import {
  acceptanceRequestSchema,
  accountPathSchema,
  contactRequestSchema,
  historyQuerySchema,
  statusPathSchema,
} from '../http/schemas/accounts.ts';
import { accountStatus } from '../ledger/account-status.ts';
import { eraseContact, setContact } from '../ledger/contact.ts';
import { DynamoDbAcceptanceStore } from '../ledger/dynamodb-store.ts';
import { lambdaEnvironment } from '../lambda-env.ts';
import { accountsLambda } from '../manifest.ts';
import type { PublishedContent } from '../ledger/published-variants.ts';
import { recordAcceptance } from '../ledger/record-acceptance.ts';
import type { AcceptanceStore } from '../ledger/store.ts';
import { parseWith } from '../http/parse.ts';

export interface AccountsDeps {
  readonly store: AcceptanceStore;
  readonly content: PublishedContent;
  readonly clock: Clock;
  readonly logger: Logger;
}

const DEFAULT_PAGE_SIZE = 25;

const jsonResponse = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  body: JSON.stringify(body),
});
const noContent = (): HttpResult => ({ statusCode: 204, headers: { 'Cache-Control': 'no-store' } });

/** Authorise before validating, so an unauthenticated caller learns nothing about input rules. */
const authorizedAccountId = (event: HttpEvent): string => {
  authorizeAccount(principalFromEvent(event), event.pathParameters?.['accountId'] ?? '');
  return parseWith(accountPathSchema, event.pathParameters ?? {}, 'path').accountId;
};

/** Build the accounts handler over its dependencies. */
export const makeHandler = (deps: AccountsDeps) => {
  const { logger } = deps;

  const postAcceptance: HttpHandler = async (event) => {
    const accountId = authorizedAccountId(event);
    const body = parseWith(acceptanceRequestSchema, event.body, 'body');
    const outcome = await recordAcceptance(deps, { accountId, ...body });
    logger.info('acceptance recorded', {
      noticeId: outcome.record.noticeId,
      version: outcome.record.version,
      region: outcome.record.region,
      created: outcome.created,
      contactUpdated: body.email !== undefined,
    });
    return jsonResponse(outcome.created ? 201 : 200, outcome.record);
  };

  const getAcceptances: HttpHandler = async (event) => {
    const accountId = authorizedAccountId(event);
    const query = parseWith(historyQuerySchema, event.queryStringParameters ?? {}, 'query');
    const page = await deps.store.listEvidence(accountId, { limit: query.limit ?? DEFAULT_PAGE_SIZE, ...(query.cursor ? { cursor: query.cursor } : {}) });
    return jsonResponse(200, page);
  };

  const getStatus: HttpHandler = async (event) => {
    authorizedAccountId(event);
    const { accountId, noticeId } = parseWith(statusPathSchema, event.pathParameters ?? {}, 'path');
    return jsonResponse(200, await accountStatus(deps, accountId, noticeId));
  };

  const putContact: HttpHandler = async (event) => {
    const accountId = authorizedAccountId(event);
    const { email } = parseWith(contactRequestSchema, event.body, 'body');
    await setContact(deps, accountId, email);
    logger.info('contact set');
    return noContent();
  };

  const deleteContact: HttpHandler = async (event) => {
    const accountId = authorizedAccountId(event);
    await eraseContact(deps, accountId);
    logger.info('contact erased');
    return noContent();
  };

  const onUnexpectedError = (error: unknown): void => {
    // The class name only: an SDK or runtime error message can carry request data.
    logger.error('unexpected error', { errorName: (error as Error | null)?.name ?? typeof error });
  };
  const plain = (fn: HttpHandler) => httpStack(fn, { onUnexpectedError });
  // Authorise before the body parser, so a caller without rights gets 401/403, never a 415 or 422.
  const withJson = (fn: HttpHandler) => {
    const parsed = httpStack(fn, { body: 'json', onUnexpectedError });
    return plain(async (event, context) => {
      authorizedAccountId(event);
      return parsed(event, context);
    });
  };

  const router = httpRouterHandler([
    { method: 'POST', path: '/v1/accounts/{accountId}/acceptances', handler: withJson(postAcceptance) },
    { method: 'GET', path: '/v1/accounts/{accountId}/acceptances', handler: plain(getAcceptances) },
    { method: 'GET', path: '/v1/accounts/{accountId}/notices/{noticeId}/status', handler: plain(getStatus) },
    { method: 'PUT', path: '/v1/accounts/{accountId}/contact', handler: withJson(putContact) },
    { method: 'DELETE', path: '/v1/accounts/{accountId}/contact', handler: plain(deleteContact) },
  ]);
  return httpStack(router as unknown as HttpHandler, { onUnexpectedError });
};

/** Dependencies from the Lambda environment: `TABLE_NAME`; the SDK client is built once per container. */
export const defaultDeps = async (): Promise<AccountsDeps> => {
  const { TABLE_NAME: tableName } = lambdaEnvironment(accountsLambda);
  const { publishedContent } = await import('../ledger/published-content.ts');
  return {
    store: new DynamoDbAcceptanceStore({ tableName }),
    content: publishedContent,
    clock: systemClock,
    logger: new Logger({ serviceName: 'accounts' }),
  };
};

let defaultHandler: Promise<ReturnType<typeof makeHandler>> | undefined;

/** The Lambda entry: dependencies are built on the first invocation of a container and kept. */
export const handler = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
  defaultHandler ??= defaultDeps().then(makeHandler);
  return (await defaultHandler)(event, context);
};
