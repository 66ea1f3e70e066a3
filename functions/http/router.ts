/**
 * One router for every HTTP Lambda. A Lambda names its routes by their keys in its manifest row (`functions/manifest.ts`)
 * (`GET /v1/notices/{noticeId}`) and gives each a handler; the table is checked against that row
 * when the handler is built, so a route cannot be served by one side and forgotten by the other.
 *
 * Per request, one middy stack: a before hook matches the route, authorises the caller, then parses
 * the body the route declares (so a caller without rights gets 401/403, never a 415 or 422, and
 * learns nothing about the input rules); the handler runs; the stack's boundary maps every error.
 * Matching trusts `event.routeKey` when API Gateway (or the local gateway) already matched one of
 * our routes, and otherwise matches the path with `@middy/http-router`'s static/dynamic table.
 */
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import { createError } from '@middy/util';
import { routeKeyOf, type HttpLambdaRoutes, type LambdaRoute } from '../manifest.ts';
import { httpStack, type HttpEvent, type HttpHandler, type HttpRequest, type HttpResult, type HttpStackOptions } from './middleware.ts';

/** How one route is served. */
export interface RouteHandler {
  readonly handler: HttpHandler;
  /** Parse a JSON body (after `authorize`) before the handler. @default the body is left as it came */
  readonly body?: 'json';
  /** Throws `UnauthenticatedError` or `ForbiddenError` before the body is parsed. @default anyone */
  readonly authorize?: (event: HttpEvent) => void;
}

export interface HttpRouterOptions extends HttpStackOptions {
  /** Checked on every request before matching, unknown paths included (an admin-only API). @default none */
  readonly authorize?: (event: HttpEvent) => void;
  /** The error for a path no route matches. @default 404 "Route does not exist" (http-router's wording) */
  readonly notFound?: () => Error;
  /** The error for a path that a route matches under another method. @default `notFound` */
  readonly methodNotAllowed?: () => Error;
}

interface RouteEntry extends RouteHandler {
  readonly route: LambdaRoute;
}

const routeDoesNotExist = (): Error => createError(404, 'Route does not exist');

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The entries for the Lambda's routes, refusing a route without a handler or a handler without a route. */
const routeTable = (lambda: HttpLambdaRoutes, handlers: Readonly<Record<string, RouteHandler>>): RouteEntry[] => {
  const own = lambda.trigger.routes;
  const keys = new Set(own.map(routeKeyOf));
  const unknown = Object.keys(handlers).filter((key) => !keys.has(key));
  const missing = own.map(routeKeyOf).filter((key) => handlers[key] === undefined);
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(`${lambda.entry}: routes without a handler [${missing.join(', ')}], handlers without a route [${unknown.join(', ')}]`);
  }
  return own.map((route) => ({ route, ...handlers[routeKeyOf(route)]! }));
};

/**
 * http-router over `entries`: `match(event)` is the entry for the event's method and path (the
 * path's `{param}` values decoded into `event.pathParameters`, given ones kept), or undefined.
 */
const pathMatcher = <T extends { readonly route: Pick<LambdaRoute, 'method' | 'path'> }>(entries: readonly T[]) => {
  let found: T | undefined;
  const router = httpRouterHandler<HttpEvent, HttpResult>({
    routes: entries.map((entry) => ({
      method: entry.route.method,
      path: entry.route.path,
      handler: () => {
        found = entry;
      },
    })),
    notFoundResponse: () => undefined,
  });
  return (event: HttpEvent, request: HttpRequest): T | undefined => {
    const http = event.requestContext?.http;
    // http-router throws a plain Error (a 500) on an event without method or path: those match nothing.
    if (event.version !== '2.0' || !http?.method || !http.path) return undefined;
    const given = event.pathParameters;
    found = undefined;
    event.pathParameters = undefined;
    // http-router's handler calls the matched route's function synchronously; it sets `found`.
    void router(event, request.context);
    const matched = Object.entries(event.pathParameters ?? {}).map(([name, value]) => [name, decodeSegment(String(value))]);
    event.pathParameters = found && matched.length > 0 ? { ...Object.fromEntries(matched), ...given } : given;
    return found;
  };
};

/** The one HTTP handler of a Lambda: the routes of its manifest row, each served by `handlers[routeKey]`. */
export const httpRouter = (lambda: HttpLambdaRoutes, handlers: Readonly<Record<string, RouteHandler>>, options: HttpRouterOptions = {}): HttpHandler => {
  const entries = routeTable(lambda, handlers);
  const byKey = new Map(entries.map((entry) => [routeKeyOf(entry.route), entry]));
  const match = pathMatcher(entries);
  // Every path once, under GET: a request that misses `match` is a wrong method when its path is here.
  const paths = [...new Set(entries.map((entry) => entry.route.path))];
  const anyMethod = pathMatcher(paths.map((path) => ({ route: { method: 'GET' as const, path } })));
  const notFound = options.notFound ?? routeDoesNotExist;
  const methodNotAllowed = options.methodNotAllowed ?? notFound;
  const jsonBody = httpJsonBodyParser({ disableContentTypeError: false });
  const matched = new WeakMap<HttpEvent, RouteEntry>();
  // RFC 9110: a body that is not JSON at all is a bad request (400); the parser calls it 422,
  // which stays for well-formed bodies the use case cannot process.
  const parseJsonBody = async (request: HttpRequest): Promise<void> => {
    try {
      await jsonBody.before?.(request);
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 422) throw createError(400, 'the body is not valid JSON');
      throw error;
    }
  };

  const unmatched = (event: HttpEvent, request: HttpRequest): Error => {
    const http = event.requestContext?.http;
    if (!http?.method) return notFound();
    const asGet = { ...event, requestContext: { ...event.requestContext, http: { ...http, method: 'GET' } } };
    return anyMethod(asGet, request) ? methodNotAllowed() : notFound();
  };

  const routeRequest = async (request: HttpRequest): Promise<void> => {
    const { event } = request;
    options.authorize?.(event);
    const entry = byKey.get(event.routeKey) ?? match(event, request);
    if (!entry) throw unmatched(event, request);
    entry.authorize?.(event);
    if (entry.body === 'json') await parseJsonBody(request);
    matched.set(event, entry);
  };

  const dispatch: HttpHandler = async (event, context) => {
    const entry = matched.get(event);
    if (!entry) throw notFound();
    return entry.handler(event, context);
  };

  return httpStack(dispatch, options).before(routeRequest);
};
