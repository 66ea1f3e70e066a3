/**
 * The gateway's server: `node:http` listening, route matching, body limits, the authoriser, and
 * the hooks that keep a failing handler from leaking anything. The per-request path is kept light
 * (precompiled matchers, no framework, no per-request closures) so that serving through it costs
 * little more than a bare `node:http` server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../functions/core/clock.ts';
import type { HttpHandler, HttpResult } from '../../functions/http/middleware.ts';
import { problemFor } from '../../functions/http/problem.ts';
import type { HttpLambdaName } from '../../functions/manifest.ts';
import { routes as defaultRoutes, type Route } from '../../functions/routes.ts';
import { identityOf, LocalLambdaContext } from './context.ts';
import {
  buildHttpEvent,
  collectHeaders,
  decodePathParameters,
  protocolOf,
  RequestTimeFormatter,
  sourceIpOf,
  type AuthorizerContext,
} from './event.ts';
import { sendProblem, sendResult } from './response.ts';
import { compileRoutes, matchPath, type CompiledRoute } from './routes.ts';

/**
 * Decides a non-public route from the lower-cased request headers and the route's authorization
 * scopes, as API Gateway's JWT authoriser does: the context to attach, or null / 'unauthorized'
 * (401), or 'forbidden' (403: a valid token with none of the route's scopes).
 */
export type Authorize = (
  headers: Readonly<Record<string, string>>,
  scopes: readonly string[],
) => Promise<AuthorizerContext | null | 'unauthorized' | 'forbidden'>;

/** API Gateway answers an authoriser refusal itself, with a bare JSON message (not problem+json). */
const sendGatewayRefusal = (res: ServerResponse, status: 401 | 403): void => {
  const body = JSON.stringify({ message: status === 401 ? 'Unauthorized' : 'Forbidden' });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(body);
};

/** How `startGateway` listens and what it serves. */
export interface GatewayOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** One handler per Lambda; a route whose Lambda is missing answers 503 (not wired). */
  readonly handlers: Partial<Record<HttpLambdaName, HttpHandler>>;
  /** The JWT authoriser emulation for `account` and `admin` routes. @default every such request is 401 */
  readonly authorize?: Authorize;
  /** Clock for `requestContext.time`/`timeEpoch`. @default systemClock */
  readonly clock?: Clock;
  /** The route table. @default functions/routes.ts */
  readonly routes?: readonly Route[];
  /** Largest request body accepted, in bytes; API Gateway's limit is 10 MB. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** Called when a handler throws; receives only the error's class name, never its message. */
  readonly onHandlerError?: (lambda: HttpLambdaName, errorName: string) => void;
}

/** A listening gateway. */
export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The route key of the public API's catch-all route (`lib/http-apis.ts`: the notices Lambda). */
export const DEFAULT_ROUTE_KEY = '$default';

/** API Gateway's request body limit, 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

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

/** Only the class name: a handler's error message may carry request data. */
/** A request whose route and method matched, before its body is read. */
interface MatchedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly target: CompiledRoute;
  readonly values: readonly string[];
  readonly rawPath: string;
  readonly rawQueryString: string;
}

const errorNameOf = (error: unknown): string => (error as Error | null)?.name ?? typeof error;

/** Start the gateway; resolves once it listens. */
export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const { handlers, authorize, clock = systemClock, maxBodyBytes = MAX_BODY_BYTES, onHandlerError } = options;
  const host = options.host ?? '127.0.0.1';
  const table = compileRoutes(options.routes ?? defaultRoutes);
  const requestTime = new RequestTimeFormatter();
  // The `$default` route per request method (the event states the method the caller used).
  const defaultTargets = new Map<string, CompiledRoute>();
  const defaultTarget = (method: string): CompiledRoute => {
    let found = defaultTargets.get(method);
    if (!found) {
      const route = { method, path: '$default', auth: 'public', lambda: 'notices' } as unknown as Route;
      found = { route, routeKey: DEFAULT_ROUTE_KEY, paramNames: [], scopes: [] };
      defaultTargets.set(method, found);
    }
    return found;
  };
  // Known once the server listens; every request reuses them instead of rebuilding them.
  let domainName = host;
  let domainPrefix = host.split('.')[0]!;
  let listeningPort = '';

  const invoke = async ({ req, res, target, values, rawPath, rawQueryString }: MatchedRequest, body: Buffer | undefined): Promise<void> => {
    let pathParameters: Record<string, string> | undefined;
    try {
      pathParameters = decodePathParameters(target.paramNames, values);
    } catch {
      sendProblem(res, problemFor(400, 'the path is not valid percent-encoding'));
      return;
    }
    const sourceIp = sourceIpOf(req.socket.remoteAddress);
    const request = collectHeaders(req.rawHeaders, sourceIp, listeningPort);
    const { route } = target;
    let authorizer: AuthorizerContext | undefined;
    if (route.auth !== 'public') {
      const decision = authorize ? await authorize(request.headers, target.scopes) : null;
      if (decision === null || decision === 'unauthorized' || decision === 'forbidden') {
        sendGatewayRefusal(res, decision === 'forbidden' ? 403 : 401);
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
    const event = buildHttpEvent({
      target,
      rawPath,
      rawQueryString,
      request,
      pathParameters,
      body,
      sourceIp,
      protocol: protocolOf(req.httpVersion),
      authorizer,
      requestId,
      timeEpoch,
      time: requestTime.format(timeEpoch),
      domainName,
      domainPrefix,
    });
    let result: HttpResult;
    try {
      result = await handler(event, new LocalLambdaContext(identityOf(route.lambda), requestId));
    } catch (error) {
      onHandlerError?.(route.lambda, errorNameOf(error));
      sendProblem(res, problemFor(500));
      return;
    }
    sendResult(res, result);
  };

  /** The last line of defence around `invoke`: nothing it throws escapes as an unhandled rejection. */
  const onInvokeFailure = (res: ServerResponse, target: CompiledRoute, error: unknown): void => {
    onHandlerError?.(target.route.lambda, errorNameOf(error));
    if (!res.headersSent) sendProblem(res, problemFor(500));
    else res.destroy();
  };

  /** 413, and the connection closed: the rest of the body is not read. */
  const refuseTooLarge = (req: IncomingMessage, res: ServerResponse): void => {
    sendProblem(res, problemFor(413, `the request body exceeds ${maxBodyBytes} bytes`), { connection: 'close' });
    req.destroy();
  };

  /** `invoke`, every failure answered by `onInvokeFailure` (no per-request closure). */
  const invokeSafely = async (matched: MatchedRequest, body: Buffer | undefined): Promise<void> => {
    try {
      await invoke(matched, body);
    } catch (error) {
      onInvokeFailure(matched.res, matched.target, error);
    }
  };

  // Unread request bodies (404, 405, GETs) need no resume(): Node dumps them once the response ends.
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const found = matchPath(table, rawPath);
    let target = found?.group.byMethod.get(req.method ?? '');
    let values = found?.values ?? [];
    if (!target && handlers.notices) {
      // As deployed: the public API's `$default` route sends whatever no route matched to the notices Lambda.
      target = defaultTarget(req.method ?? 'GET');
      values = [];
    }
    if (!target) {
      if (!found) sendProblem(res, problemFor(404, 'no route for this path'));
      else sendProblem(res, problemFor(405, `allowed: ${found.group.allow}`), { allow: found.group.allow });
      return;
    }
    const matched: MatchedRequest = { req, res, target, values, rawPath, rawQueryString };
    const { declaredLength, transferEncoded } = bodyFraming(req.rawHeaders);
    if (declaredLength > maxBodyBytes) {
      refuseTooLarge(req, res);
      return;
    }
    // Requests without a body (most GETs) skip the stream machinery entirely.
    if (declaredLength === 0 && !transferEncoded) {
      void invokeSafely(matched, undefined);
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
        refuseTooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (rejected) return;
      const body = size === 0 ? undefined : Buffer.concat(chunks, size);
      void invokeSafely(matched, body);
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
