/**
 * The local HTTP gateway: an emulation of API Gateway HTTP API (payload format 2.0) on `node:http`.
 * It reads the same route table as the CDK construct, builds the event API Gateway would build,
 * runs the JWT authoriser emulation on non-public routes, and calls the same Lambda handlers.
 * The per-request path is kept light (precompiled matchers, no framework) so that serving through
 * it costs little more than a bare `node:http` server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { systemClock, type Clock } from '../functions/core/clock.ts';
import { UnauthenticatedError } from '../functions/core/errors.ts';
import { problemFor, PROBLEM_CONTENT_TYPE, toProblem, type Problem } from '../functions/http/problem.ts';
import { routeKey, routes as defaultRoutes, type LambdaName, type Route } from '../functions/routes.ts';

/** Any handler API Gateway can integrate with: structured result, bare string or JSON-able value. */
export type GatewayHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2<unknown>>;

/** The authoriser context the JWT authoriser puts in `requestContext.authorizer`. */
export interface AuthorizerContext {
  readonly jwt: { readonly claims: Record<string, unknown>; readonly scopes: readonly string[] | null };
}

/** Decides non-public routes from the lower-cased request headers; null means 401. */
export type Authorize = (headers: Readonly<Record<string, string>>) => Promise<AuthorizerContext | null>;

export interface GatewayOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** One handler per Lambda; a route whose Lambda is missing answers 503 (not wired). */
  readonly handlers: Partial<Record<LambdaName, GatewayHandler>>;
  /** The JWT authoriser emulation for `account` and `admin` routes. @default every such request is 401 */
  readonly authorize?: Authorize;
  /** Clock for `requestContext.time`/`timeEpoch`. @default systemClock */
  readonly clock?: Clock;
  /** The route table. @default functions/routes.ts */
  readonly routes?: readonly Route[];
  /** Largest request body accepted, in bytes; API Gateway's limit is 10 MB. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** Called when a handler throws; receives only the error's class name, never its message. */
  readonly onHandlerError?: (lambda: LambdaName, errorName: string) => void;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

interface CompiledRoute {
  readonly route: Route;
  readonly routeKey: string;
  /** Names of the `{param}` segments, in order. */
  readonly paramNames: readonly string[];
}

/** Every method registered for one path template, with the matcher for that template. */
interface PathGroup {
  readonly matcher: RegExp | null;
  readonly paramNames: readonly string[];
  readonly byMethod: Map<string, CompiledRoute>;
  readonly allow: string;
}

interface RouteTable {
  readonly staticPaths: Map<string, PathGroup>;
  readonly dynamicPaths: readonly PathGroup[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compile the route table once: static paths go in a map, templates become one regex each. */
const compileRoutes = (table: readonly Route[]): RouteTable => {
  const groups = new Map<string, { matcher: RegExp | null; paramNames: string[]; byMethod: Map<string, CompiledRoute> }>();
  for (const route of table) {
    let group = groups.get(route.path);
    if (!group) {
      const paramNames: string[] = [];
      const pattern = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return escapeRegExp(segment);
          paramNames.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      group = { matcher: paramNames.length > 0 ? new RegExp(`^${pattern}$`) : null, paramNames, byMethod: new Map() };
      groups.set(route.path, group);
    }
    group.byMethod.set(route.method, { route, routeKey: routeKey(route), paramNames: group.paramNames });
  }
  const staticPaths = new Map<string, PathGroup>();
  const dynamicPaths: PathGroup[] = [];
  for (const [path, group] of groups) {
    const compiled: PathGroup = { ...group, allow: [...group.byMethod.keys()].join(', ') };
    if (group.matcher) dynamicPaths.push(compiled);
    else staticPaths.set(path, compiled);
  }
  return { staticPaths, dynamicPaths };
};

/** Content types API Gateway passes as text; every other body is base64-encoded. */
const TEXT_CONTENT_TYPE = /^\s*(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml))\b)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** API Gateway's `requestContext.time` format: `29/Nov/2026:17:40:00 +0000`. */
export const formatRequestTime = (date: Date): string =>
  `${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad2(date.getUTCHours())}:` +
  `${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} +0000`;

/** Lower-cased headers with duplicates comma-joined, as API Gateway sends them; cookies split out. */
const collectHeaders = (rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] | undefined } => {
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
  return { headers, cookies };
};

/**
 * The declared body length and whether a transfer coding frames the body, read from the raw
 * headers: `req.headers` would build a second header object on every request just for these two.
 */
const bodyFraming = (rawHeaders: readonly string[]): { declaredLength: number; transferEncoded: boolean } => {
  let declaredLength = 0;
  let transferEncoded = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') declaredLength = Number(rawHeaders[i + 1]);
    else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') transferEncoded = true;
  }
  return { declaredLength, transferEncoded };
};

/** Decoded query parameters with duplicates comma-joined, or undefined when there are none. */
const collectQuery = (rawQueryString: string): Record<string, string> | undefined => {
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

const LAMBDA_TIMEOUT_MS = 30_000;

/** What a Lambda's context says about the function itself: the same for every request, built once. */
interface FunctionIdentity {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
}

const identities = new Map<LambdaName, FunctionIdentity>();
const identityOf = (lambda: LambdaName): FunctionIdentity => {
  let identity = identities.get(lambda);
  if (identity === undefined) {
    identity = {
      functionName: `disclosure-${lambda}`,
      invokedFunctionArn: `arn:aws:lambda:local:${ACCOUNT_ID}:function:disclosure-${lambda}`,
      logGroupName: `/aws/lambda/disclosure-${lambda}`,
    };
    identities.set(lambda, identity);
  }
  return identity;
};

/** The Lambda context, as a class so that a request allocates little. */
class LocalLambdaContext implements Context {
  readonly callbackWaitsForEmptyEventLoop = false;
  readonly functionVersion = '$LATEST';
  readonly memoryLimitInMB = '512';
  readonly logStreamName = 'local';
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly #deadline = Date.now() + LAMBDA_TIMEOUT_MS;

  constructor(
    identity: FunctionIdentity,
    readonly awsRequestId: string,
  ) {
    this.functionName = identity.functionName;
    this.invokedFunctionArn = identity.invokedFunctionArn;
    this.logGroupName = identity.logGroupName;
  }

  /**
   * A function usable detached from the context, as middy calls it; built when read, because a
   * memoised answer never reads it and most requests need not pay for the closure.
   */
  get getRemainingTimeInMillis(): () => number {
    const deadline = this.#deadline;
    return () => Math.max(0, deadline - Date.now());
  }

  done(): void {}
  fail(): void {}
  succeed(): void {}
}

/**
 * Handlers that memoise their answers return the same large body string again and again;
 * keeping its UTF-8 bytes spares re-encoding it on every response. Bounded, cleared when full.
 */
const encodedBodies = new Map<string, Buffer>();
const ENCODED_BODY_MIN_LENGTH = 1024;
const ENCODED_BODY_MAX_ENTRIES = 256;
const encodeBody = (body: string): string | Buffer => {
  if (body.length < ENCODED_BODY_MIN_LENGTH) return body;
  let bytes = encodedBodies.get(body);
  if (bytes === undefined) {
    if (encodedBodies.size >= ENCODED_BODY_MAX_ENTRIES) encodedBodies.clear();
    bytes = Buffer.from(body, 'utf8');
    encodedBodies.set(body, bytes);
  }
  return bytes;
};

const sendProblem = (res: ServerResponse, problem: Problem, extraHeaders: Record<string, string> = {}): void => {
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
};

interface PreparedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | string[]>;
  readonly body: string | Buffer;
}

/**
 * Status, Node headers (with Content-Length) and body bytes for a structured Lambda result. Names
 * are lower-cased as HTTP/2 and API Gateway's own headers are; Node also matches lower-case names
 * without copying them.
 */
const prepareResponse = (result: APIGatewayProxyStructuredResultV2): PreparedResponse => {
  const headers: Record<string, string | number | string[]> = {};
  if (result.headers) {
    for (const name in result.headers) headers[name.toLowerCase()] = String(result.headers[name]);
  }
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const raw = result.body ?? '';
  const body = result.isBase64Encoded ? Buffer.from(raw, 'base64') : encodeBody(raw);
  headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return { statusCode: result.statusCode ?? 200, headers, body };
};

/**
 * Memoising handlers hand back the same frozen result object for every hit; what it becomes on the
 * wire is prepared once per object. Only frozen results qualify: nobody can change them afterwards.
 */
const preparedFrozenResults = new WeakMap<object, PreparedResponse>();
const preparedResponseOf = (result: APIGatewayProxyStructuredResultV2): PreparedResponse => {
  if (!Object.isFrozen(result) || (result.headers !== undefined && !Object.isFrozen(result.headers))) return prepareResponse(result);
  let prepared = preparedFrozenResults.get(result);
  if (prepared === undefined) {
    prepared = prepareResponse(result);
    preparedFrozenResults.set(result, prepared);
  }
  return prepared;
};

/** Write a Lambda result back the way API Gateway does (string and bare values are 200 JSON). */
const sendResult = (res: ServerResponse, value: APIGatewayProxyResultV2<unknown>): void => {
  if (value === null || typeof value !== 'object' || !('statusCode' in value)) {
    const body = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const prepared = preparedResponseOf(value as APIGatewayProxyStructuredResultV2);
  res.writeHead(prepared.statusCode, prepared.headers);
  res.end(prepared.body);
};

/** Start the gateway; resolves once it listens. */
export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const { handlers, authorize, clock = systemClock, maxBodyBytes = MAX_BODY_BYTES, onHandlerError } = options;
  const host = options.host ?? '127.0.0.1';
  const table = compileRoutes(options.routes ?? defaultRoutes);
  // Known once the server listens; every request reuses them instead of rebuilding them.
  let domainName = host;
  let domainPrefix = host.split('.')[0]!;
  let listeningPort = '';
  let requestTime = { second: Number.NaN, text: '' };

  /** `requestContext.time` has a one-second resolution: format it once per second, not per request. */
  const requestTimeOf = (epochMs: number): string => {
    const second = Math.floor(epochMs / 1000);
    if (second !== requestTime.second) requestTime = { second, text: formatRequestTime(new Date(epochMs)) };
    return requestTime.text;
  };

  const match = (path: string): { group: PathGroup; values: string[] } | undefined => {
    const group = table.staticPaths.get(path);
    if (group) return { group, values: [] };
    for (const candidate of table.dynamicPaths) {
      const found = candidate.matcher!.exec(path);
      if (found) return { group: candidate, values: found.slice(1) };
    }
    return undefined;
  };

  const invoke = async (
    req: IncomingMessage,
    res: ServerResponse,
    target: CompiledRoute,
    values: readonly string[],
    rawPath: string,
    rawQueryString: string,
    body: Buffer | undefined,
  ): Promise<void> => {
    let pathParameters: Record<string, string> | undefined;
    if (values.length > 0) {
      pathParameters = {};
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        try {
          // Most path segments carry no escape at all: decoding them would only copy them.
          pathParameters[target.paramNames[i]!] = value.includes('%') ? decodeURIComponent(value) : value;
        } catch {
          sendProblem(res, problemFor(400, 'the path is not valid percent-encoding'));
          return;
        }
      }
    }
    const { headers, cookies } = collectHeaders(req.rawHeaders);
    const remoteAddress = req.socket.remoteAddress ?? '127.0.0.1';
    const sourceIp = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    // API Gateway appends the caller to X-Forwarded-For and states the scheme and port it received.
    const forwardedFor = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = listeningPort;
    const { route } = target;
    let authorizer: AuthorizerContext | undefined;
    if (route.auth !== 'public') {
      const decision = authorize ? await authorize(headers) : null;
      if (!decision) {
        sendProblem(res, toProblem(new UnauthenticatedError('a valid bearer token is required')), { 'www-authenticate': 'Bearer' });
        return;
      }
      authorizer = decision;
    }
    const handler = handlers[route.lambda];
    if (!handler) {
      sendProblem(res, problemFor(503, `the ${route.lambda} Lambda is not wired in this local platform`));
      return;
    }
    const timeEpoch = clock.now().getTime();
    const requestId = randomUUID();
    const requestContext: APIGatewayProxyEventV2['requestContext'] = {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix,
      http: {
        method: route.method,
        path: rawPath,
        protocol: req.httpVersion === '1.1' ? 'HTTP/1.1' : `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: target.routeKey,
      stage: '$default',
      time: requestTimeOf(timeEpoch),
      timeEpoch,
    };
    if (authorizer) (requestContext as { authorizer?: AuthorizerContext }).authorizer = authorizer;
    // Optional members are added only when present, as API Gateway omits them (no conditional spreads: they copy).
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
    let result: APIGatewayProxyResultV2<unknown>;
    try {
      result = await handler(event, new LocalLambdaContext(identityOf(route.lambda), requestId));
    } catch (error) {
      // Only the class name: a handler's error message may carry request data.
      onHandlerError?.(route.lambda, (error as Error | null)?.name ?? typeof error);
      sendProblem(res, problemFor(500));
      return;
    }
    sendResult(res, result);
  };

  /** The last line of defence around `invoke`: nothing it throws escapes as an unhandled rejection. */
  const onInvokeFailure = (res: ServerResponse, target: CompiledRoute, error: unknown): void => {
    onHandlerError?.(target.route.lambda, (error as Error | null)?.name ?? typeof error);
    if (!res.headersSent) sendProblem(res, problemFor(500));
    else res.destroy();
  };

  /** `invoke`, every failure answered by `onInvokeFailure` (no per-request closure). */
  const invokeSafely = async (
    req: IncomingMessage,
    res: ServerResponse,
    target: CompiledRoute,
    values: readonly string[],
    rawPath: string,
    rawQueryString: string,
    body: Buffer | undefined,
  ): Promise<void> => {
    try {
      await invoke(req, res, target, values, rawPath, rawQueryString, body);
    } catch (error) {
      onInvokeFailure(res, target, error);
    }
  };

  // Unread request bodies (404, 405, GETs) need no resume(): Node dumps them once the response ends.
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const found = match(rawPath);
    if (!found) {
      sendProblem(res, problemFor(404, 'no route for this path'));
      return;
    }
    const target = found.group.byMethod.get(req.method ?? '');
    if (!target) {
      sendProblem(res, problemFor(405, `allowed: ${found.group.allow}`), { allow: found.group.allow });
      return;
    }
    const { declaredLength, transferEncoded } = bodyFraming(req.rawHeaders);
    if (declaredLength > maxBodyBytes) {
      sendProblem(res, problemFor(413, `the request body exceeds ${maxBodyBytes} bytes`), { connection: 'close' });
      req.destroy();
      return;
    }
    // Requests without a body (most GETs) skip the stream machinery entirely.
    if (declaredLength === 0 && !transferEncoded) {
      void invokeSafely(req, res, target, found.values, rawPath, rawQueryString, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on('data', (chunk: Buffer) => {
      if (rejected) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        rejected = true;
        sendProblem(res, problemFor(413, `the request body exceeds ${maxBodyBytes} bytes`), { connection: 'close' });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (rejected) return;
      const body = size === 0 ? undefined : Buffer.concat(chunks, size);
      void invokeSafely(req, res, target, found.values, rawPath, rawQueryString, body);
    });
    req.on('error', () => res.destroy());
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  domainName = `${host}:${port}`;
  domainPrefix = domainName.split('.')[0]!;
  listeningPort = String(port);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};
