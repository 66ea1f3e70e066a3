/**
 * The event API Gateway HTTP API (payload format 2.0) hands a Lambda, built from what arrived: a
 * pure function of method and path, headers, body, client address, authoriser context and time,
 * so the shape is tested without sockets. Per request it does only what varies: names are
 * lower-cased once, undecoded segments are not copied, optional members are added only when
 * present (as API Gateway omits them).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './context.ts';
import type { CompiledRoute } from './routes.ts';

/** The authoriser context the JWT authoriser puts in `requestContext.authorizer`. */
export interface AuthorizerContext {
  readonly jwt: { readonly claims: Record<string, unknown>; readonly scopes: readonly string[] | null };
}

const API_ID = 'local';

/**
 * Content types API Gateway's HTTP API passes as text: `text/*`, JSON, XML and JavaScript (and
 * their `+json`/`+xml` suffixes). Every other body, HTML form posts
 * (`application/x-www-form-urlencoded`) and bodies without a content type included, reaches the
 * Lambda base64-encoded with `isBase64Encoded: true`.
 */
export const TEXT_CONTENT_TYPE = /^\s*(text\/|application\/(json|xml|javascript|[\w.+-]+\+(json|xml))\s*(;|$))/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** API Gateway's `requestContext.time` format: `29/Nov/2026:17:40:00 +0000`. */
export const formatRequestTime = (date: Date): string =>
  `${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad2(date.getUTCHours())}:` +
  `${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} +0000`;

/** `requestContext.time` has a one-second resolution: formatted once per second, not per request. */
export class RequestTimeFormatter {
  #second = Number.NaN;
  #text = '';

  /** The formatted time of `epochMs`, reused while the second is the same. */
  format(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#text = formatRequestTime(new Date(epochMs));
    }
    return this.#text;
  }
}

/** The request headers as the Lambda sees them, and the cookies API Gateway splits out of them. */
export interface RequestHeaders {
  readonly headers: Record<string, string>;
  readonly cookies: string[] | undefined;
}

/**
 * Lower-cased headers with duplicates comma-joined, as API Gateway sends them, cookies split out;
 * the caller appended to `X-Forwarded-For` and the scheme and port it was received on stated.
 */
export const collectHeaders = (rawHeaders: readonly string[], sourceIp: string, forwardedPort: string): RequestHeaders => {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies ??= [];
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed !== '') cookies.push(trimmed);
      }
      continue;
    }
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous},${value}`;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = forwardedPort;
  return { headers, cookies };
};

/** The caller's address as API Gateway reports it: IPv4-mapped IPv6 addresses as plain IPv4. */
export const sourceIpOf = (remoteAddress: string | undefined): string => {
  const address = remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
};

/** `requestContext.http.protocol` for Node's `httpVersion`. */
export const protocolOf = (httpVersion: string): string => (httpVersion === '1.1' ? 'HTTP/1.1' : `HTTP/${httpVersion}`);

/**
 * The decoded `{param}` values by name, or undefined when the route has none.
 * @throws URIError when a value is not valid percent-encoding (the gateway answers 400)
 */
export const decodePathParameters = (paramNames: readonly string[], values: readonly string[]): Record<string, string> | undefined => {
  if (values.length === 0) return undefined;
  const pathParameters: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // Most path segments carry no escape at all: decoding them would only copy them.
    pathParameters[paramNames[i]!] = value.includes('%') ? decodeURIComponent(value) : value;
  }
  return pathParameters;
};

/** Decoded query parameters with duplicates comma-joined, or undefined when there are none. */
export const collectQuery = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  const query: Record<string, string> = {};
  let any = false;
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = query[name];
    query[name] = previous === undefined ? value : `${previous},${value}`;
    any = true;
  }
  return any ? query : undefined;
};

/** Everything the event is built from; nothing in it is read from a socket or a clock. */
export interface HttpEventInput {
  readonly target: CompiledRoute;
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** From `collectHeaders`. */
  readonly request: RequestHeaders;
  /** From `decodePathParameters`. */
  readonly pathParameters: Record<string, string> | undefined;
  readonly body: Buffer | undefined;
  readonly sourceIp: string;
  /** From `protocolOf`. */
  readonly protocol: string;
  /** Present on authorised routes only. */
  readonly authorizer: AuthorizerContext | undefined;
  readonly requestId: string;
  readonly timeEpoch: number;
  /** `timeEpoch` as `formatRequestTime` writes it. */
  readonly time: string;
  /** `host:port` the gateway listens on. */
  readonly domainName: string;
  readonly domainPrefix: string;
}

/** The API Gateway HTTP API payload 2.0 event for one request. */
export const buildHttpEvent = (input: HttpEventInput): APIGatewayProxyEventV2 => {
  const { target, rawPath, rawQueryString, request, pathParameters, body } = input;
  const { headers, cookies } = request;
  const requestContext: APIGatewayProxyEventV2['requestContext'] = {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: API_ID,
    domainName: input.domainName,
    domainPrefix: input.domainPrefix,
    http: {
      method: target.route.method,
      path: rawPath,
      protocol: input.protocol,
      sourceIp: input.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: input.requestId,
    routeKey: target.routeKey,
    stage: '$default',
    time: input.time,
    timeEpoch: input.timeEpoch,
  };
  if (input.authorizer) (requestContext as { authorizer?: AuthorizerContext }).authorizer = input.authorizer;
  // No conditional spreads: they copy.
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: target.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext,
    isBase64Encoded: false,
  };
  if (cookies) event.cookies = cookies;
  if (rawQueryString !== '') event.queryStringParameters = collectQuery(rawQueryString);
  if (pathParameters) event.pathParameters = pathParameters;
  if (body !== undefined) {
    const isText = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
    event.body = isText ? body.toString('utf8') : body.toString('base64');
    event.isBase64Encoded = !isText;
  }
  return event;
};
