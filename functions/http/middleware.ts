/**
 * The one middy stack every HTTP request passes: the router's before hook (see `router.ts`) and the
 * problem+json error boundary. Handlers stay thin: parse, call one use case, map the result.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorDetails } from '../logging.ts';
import type { OriginVerifier } from './origin-verify.ts';
import { problemResponse, toProblem, type Problem } from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** The middy request a before hook sees. */
export type HttpRequest = middy.Request<HttpEvent, HttpResult, Error, Context>;

export interface HttpStackOptions {
  /**
   * The Lambda's logger: every line it writes during a request carries the Lambda request id and
   * `apiGatewayRequestId` (the `requestId` of the access log), and unexpected errors are logged
   * through it (sanitised message and stack). @default none: errors go to stderr by class name
   */
  readonly logger?: Logger;
  /** Called with unexpected (5xx) errors only; must not log personal data. @default the logger's error line (else stderr) */
  readonly onUnexpectedError?: (error: unknown) => void;
  /**
   * Answer an error in another representation than problem+json (the choice pages answer browsers
   * in HTML); `undefined` keeps the problem+json answer. @default problem+json for every error
   */
  readonly errorResponse?: (error: unknown, problem: Problem, event: HttpEvent) => Promise<HttpResult | undefined>;
  /**
   * Answer a problem shortly before the Lambda timeout instead of letting the runtime kill the call
   * (middy's `timeoutEarlyInMillis`, a timer per request). Only a handler that never waits on I/O
   * may turn it off; middy 7 still creates its per-request AbortController either way. @default true
   */
  readonly earlyTimeout?: boolean;
  /**
   * Refuses requests that did not come through CloudFront (`./origin-verify.ts`) before anything
   * else runs: no route matching, no authorisation, no body parsing. @default none: the check is off
   */
  readonly originVerifier?: OriginVerifier;
}

const defaultUnexpected = (error: unknown): void => {
  // Only the class name: an unexpected error's message may carry request data.
  console.error(JSON.stringify({ level: 'ERROR', message: 'unexpected error', error: (error as Error)?.name ?? typeof error }));
};

const headersOf = (error: unknown): Record<string, string> => {
  const headers = (error as { headers?: unknown } | null)?.headers;
  return headers && typeof headers === 'object' ? Object.fromEntries(Object.entries(headers).filter(([, value]) => typeof value === 'string')) : {};
};

/** Wrap a handler in the shared middy stack: the error boundary, plus any before hook the caller adds. */
export const httpStack = (fn: HttpHandler, options: HttpStackOptions = {}): MiddyfiedHandler<HttpEvent, HttpResult, Error, Context> => {
  const { logger } = options;
  const onUnexpected = options.onUnexpectedError
    ?? (logger ? (error: unknown) => logger.error('unexpected error', errorDetails(error)) : defaultUnexpected);
  const { errorResponse } = options;
  const problemFor = (error: unknown): HttpResult => {
    const problem = toProblem(error);
    if (problem.status >= 500) onUnexpected(error);
    return problemResponse(problem);
  };
  const answer = async (error: unknown, event: HttpEvent): Promise<HttpResult> => {
    const problem = toProblem(error);
    if (problem.status >= 500) onUnexpected(error);
    // A client error may name headers of its own (a 405's Allow, say).
    const headers = problem.status < 500 ? headersOf(error) : {};
    if (!errorResponse) return problemResponse(problem, headers);
    try {
      return (await errorResponse(error, problem, event)) ?? problemResponse(problem, headers);
    } catch (failure) {
      // The error page itself failed (its lookup, say): answer that failure as a plain problem.
      return problemFor(failure);
    }
  };
  const stack = middy<HttpEvent, HttpResult, Error, Context>(fn, options.earlyTimeout === false ? { timeoutEarlyInMillis: 0 } : {});
  if (logger) {
    stack.use({
      before: (request) => {
        logger.addContext(request.context);
        logger.appendKeys({ apiGatewayRequestId: request.event.requestContext?.requestId });
      },
      after: () => logger.removeKeys(['apiGatewayRequestId']),
    });
  }
  const { originVerifier } = options;
  // A before hook's returned value is middy's early response: the handler and later hooks never run.
  if (originVerifier) stack.use({ before: (request) => originVerifier(request.event) });
  stack.use({
    onError: async (request) => {
      request.response = await answer(request.error, request.event);
    },
  });
  return stack;
};
