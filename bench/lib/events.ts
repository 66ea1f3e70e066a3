/** API Gateway v2 events for in-process benchmarks, shaped like the local gateway builds them. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lambdaContext } from '../../test/fakes/http-event.ts';

export interface EventInput {
  readonly method?: string;
  /** Route template, e.g. `/v1/notices/{noticeId}`. */
  readonly route: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** A payload 2.0 event for `input`, with the path filled in from the parameters. */
export const apiEvent = (input: EventInput): APIGatewayProxyEventV2 => {
  const method = input.method ?? 'GET';
  const rawPath = input.route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.pathParameters?.[name] ?? ''));
  const rawQueryString = new URLSearchParams(input.query ?? {}).toString();
  const routeKey = `${method} ${input.route}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers: { host: 'bench.local', 'user-agent': 'bench', ...input.headers },
    ...(input.query ? { queryStringParameters: { ...input.query } } : {}),
    ...(input.pathParameters ? { pathParameters: { ...input.pathParameters } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  };
};

/** A Lambda context for in-process invocations. */
export const benchContext: Context = lambdaContext(30_000);
