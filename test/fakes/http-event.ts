/**
 * Typed API Gateway payload 2.0 events and Lambda contexts for handler, fuzz and integration tests,
 * shaped like the ones API Gateway (and the local gateway) hand a Lambda, so tests need no casts.
 */
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** The authoriser context API Gateway attaches (`functions/http/principal.ts` reads it). */
export interface TestAuthorizer {
  readonly iam?: { readonly userArn?: string; readonly userId?: string };
  readonly jwt?: { readonly claims?: Record<string, unknown>; readonly scopes?: readonly string[] | null };
}

export interface HttpEventInput {
  /** @default 'GET' */
  readonly method?: string;
  /** The raw path, e.g. `/v1/notices/privacy`. */
  readonly path: string;
  /** The path `requestContext.http.path` carries. @default `path` */
  readonly contextPath?: string;
  /** `GET /v1/notices/{noticeId}` as API Gateway sets it, or `$default`. @default '$default' */
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  /** Also written as `rawQueryString`. */
  readonly query?: Record<string, string>;
  /** @default {} */
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** @default false */
  readonly isBase64Encoded?: boolean;
  readonly authorizer?: TestAuthorizer;
  /** @default '127.0.0.1' */
  readonly sourceIp?: string;
  /** @default 'test' */
  readonly userAgent?: string;
}

/** A payload 2.0 event for `input`. */
export const httpEvent = (input: HttpEventInput): APIGatewayProxyEventV2 => {
  const routeKey = input.routeKey ?? '$default';
  const requestContext: APIGatewayEventRequestContextV2 & { authorizer?: TestAuthorizer } = {
    accountId: '123456789012',
    apiId: 'test',
    domainName: 'localhost',
    domainPrefix: 'localhost',
    http: {
      method: input.method ?? 'GET',
      path: input.contextPath ?? input.path,
      protocol: 'HTTP/1.1',
      sourceIp: input.sourceIp ?? '127.0.0.1',
      userAgent: input.userAgent ?? 'test',
    },
    requestId: 'test',
    routeKey,
    stage: '$default',
    time: '',
    timeEpoch: 0,
    ...(input.authorizer ? { authorizer: input.authorizer } : {}),
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: input.path,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers: input.headers ?? {},
    ...(input.query ? { queryStringParameters: input.query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext,
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
};

/** A Lambda context with `remainingMs` left on every call. */
export const lambdaContext = (remainingMs = 30_000): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '1024',
  awsRequestId: 'test',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => remainingMs,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});
