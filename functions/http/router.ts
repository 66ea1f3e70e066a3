/**
 * One router for every HTTP Lambda. A Lambda names its routes by their keys in its manifest row (`functions/manifest.ts`)
 * (`GET /v1/notices/{noticeId}`) and gives each a handler; the table is checked against that row
 * when the handler is built, so a route cannot be served by one side and forgotten by the other.
 *
 * Per request, one middy stack: a before hook matches the route, authorises the caller, then parses
 * the body the route declares (so a caller without rights gets 401/403, never a 415 or 422, and
 * learns nothing about the input rules); the handler runs; the stack's boundary maps every error.
 * Matching trusts `event.routeKey` when API Gateway (or the local gateway) already matched one of
 * our routes, and otherwise matches the path against the routes' `{param}` patterns.
 */
import { routeKeyOf, type HttpLambdaRoutes, type LambdaRoute } from '../manifest.ts';
import { getKeyOf, headResponse } from './responses.ts';
import { httpStack, type HttpEvent, type HttpHandler, type HttpRequest, type HttpStackOptions } from './middleware.ts';
import { httpError } from './http-error.ts';

/** How one route is served. */
export interface RouteHandler {
  readonly handler: HttpHandler;
  /** Parses the body (after `authorize`) before the handler: `jsonBody` of `./json-body.ts`. @default the body is left as it came */
  readonly body?: (request: HttpRequest) => Promise<void>;
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

const routeDoesNotExist = (): Error => httpError(404, 'Route does not exist');

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

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** A route path as a pattern: `{name}` segments capture one segment each; one trailing `/` is allowed. */
const compilePath = (path: string): { readonly pattern: RegExp; readonly names: readonly string[] } => {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(segment);
      if (!parameter) return segment.replace(REGEXP_SPECIAL, '\\$&');
      names.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
};

/**
 * A matcher over `entries`: `match(event)` is the entry for the event's method and path (the
 * path's `{param}` values decoded into `event.pathParameters`, given ones kept), or undefined;
 * routes without parameters are tried first. Our own, not `@middy/http-router`: that one pulls
 * `@middy/util` and with it `node:http` into every cold start, for a dozen lines of matching.
 */
const pathMatcher = <T extends { readonly route: Pick<LambdaRoute, 'method' | 'path'> }>(entries: readonly T[]) => {
  const compiled = entries
    .map((entry) => ({ entry, ...compilePath(entry.route.path) }))
    .sort((a, b) => Number(a.names.length > 0) - Number(b.names.length > 0));
  return (event: HttpEvent): T | undefined => {
    const http = event.requestContext?.http;
    if (event.version !== '2.0' || !http?.method || !http.path) return undefined;
    for (const { entry, pattern, names } of compiled) {
      if (entry.route.method !== http.method) continue;
      const found = pattern.exec(http.path);
      if (!found) continue;
      if (names.length > 0) event.pathParameters = { ...Object.fromEntries(names.map((name, index) => [name, decodeSegment(found[index + 1]!)])), ...event.pathParameters };
      return entry;
    }
    return undefined;
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
  const matched = new WeakMap<HttpEvent, RouteEntry>();

  const unmatched = (event: HttpEvent): Error => {
    const http = event.requestContext?.http;
    if (!http?.method) return notFound();
    const asGet = { ...event, requestContext: { ...event.requestContext, http: { ...http, method: 'GET' } } };
    return anyMethod(asGet) ? methodNotAllowed() : notFound();
  };

  /** A HEAD request is matched as the GET it stands for (the body is dropped in `dispatch`). */
  const asGetWhenHead = (event: HttpEvent): HttpEvent => {
    const http = event.requestContext?.http;
    return http?.method === 'HEAD' ? { ...event, requestContext: { ...event.requestContext, http: { ...http, method: 'GET' } } } : event;
  };

  const routeRequest = async (request: HttpRequest): Promise<void> => {
    const { event } = request;
    options.authorize?.(event);
    let entry = byKey.get(getKeyOf(event.routeKey ?? ''));
    if (!entry) {
      const asGet = asGetWhenHead(event);
      entry = match(asGet);
      if (asGet !== event) event.pathParameters = asGet.pathParameters;
    }
    if (!entry) throw unmatched(event);
    entry.authorize?.(event);
    if (entry.body) await entry.body(request);
    matched.set(event, entry);
  };

  const dispatch: HttpHandler = async (event, context) => {
    const entry = matched.get(event);
    if (!entry) throw notFound();
    const result = await entry.handler(event, context);
    return event.requestContext?.http?.method === 'HEAD' ? headResponse(result) : result;
  };

  return httpStack(dispatch, options).before(routeRequest);
};
