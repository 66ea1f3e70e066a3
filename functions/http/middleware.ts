/**
 * The middy stack every HTTP Lambda shares: optional body parsing and the problem+json error
 * boundary. Handlers stay thin: parse, call one use case, map the result.
 */
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpUrlEncodeBodyParser from '@middy/http-urlencode-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { problemResponse, toProblem } from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface HttpStackOptions {
  /** Parse a JSON (`json`) or form (`form`) body before the handler. @default none */
  readonly body?: 'json' | 'form';
  /** Called with unexpected (5xx) errors only; must not log personal data. @default console.error of the error name */
  readonly onUnexpectedError?: (error: unknown) => void;
  /**
   * Answer a problem shortly before the Lambda timeout instead of letting the runtime kill the call
   * (middy's `timeoutEarlyInMillis`, a timer per request). Only a handler that never waits on I/O
   * may turn it off; middy 7 still creates its per-request AbortController either way. @default true
   */
  readonly earlyTimeout?: boolean;
}

const defaultUnexpected = (error: unknown): void => {
  // Only the class name: an unexpected error's message may carry request data.
  console.error(JSON.stringify({ level: 'ERROR', message: 'unexpected error', error: (error as Error)?.name ?? typeof error }));
};

/** Wrap a route function in the shared middy stack. */
export const httpStack = (fn: HttpHandler, options: HttpStackOptions = {}) => {
  const onUnexpected = options.onUnexpectedError ?? defaultUnexpected;
  const stack = middy<HttpEvent, HttpResult>(fn as never, options.earlyTimeout === false ? { timeoutEarlyInMillis: 0 } : {});
  if (options.body === 'json') stack.use(httpJsonBodyParser({ disableContentTypeError: false }));
  if (options.body === 'form') stack.use(httpUrlEncodeBodyParser({ disableContentTypeError: false }));
  stack.use({
    onError: (request) => {
      const problem = toProblem(request.error);
      if (problem.status >= 500) onUnexpected(request.error);
      request.response = problemResponse(problem);
    },
  });
  return stack;
};
