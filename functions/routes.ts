/**
 * The HTTP route table, derived from the Lambda manifest (`functions/manifest.ts`, where each
 * HTTP Lambda lists its routes): the local gateway and the CDK construct both build from it.
 */
import { ADMIN_SCOPE } from './http/principal.ts';
import { LAMBDAS, LAMBDA_NAMES, isHttpLambda, routeKeyOf, type HttpLambdaName, type LambdaRoute, type RouteAuth } from './manifest.ts';

export type { HttpLambdaName, RouteAuth };

/** One route with the Lambda that serves it. */
export interface Route extends LambdaRoute {
  readonly lambda: HttpLambdaName;
}

/** Every route of every HTTP Lambda, in manifest order. */
export const routes: readonly Route[] = LAMBDA_NAMES.filter(isHttpLambda).flatMap((lambda) => {
  const trigger = LAMBDAS[lambda].trigger;
  return trigger.routes.map((route) => ({ ...route, lambda }));
});

/** The API Gateway route key, e.g. `GET /v1/notices/{noticeId}`. */
export const routeKey = (route: Route): string => routeKeyOf(route);

/**
 * The authorization scopes a route carries behind the JWT authoriser (API Gateway refuses a token
 * with none of them, 403): admin routes need `disclosure/admin`. `lib/http-apis.ts` configures
 * API Gateway with these, and the local gateway enforces the same.
 */
export const authorizationScopes = (route: Pick<Route, 'auth'>): readonly string[] => (route.auth === 'admin' ? [ADMIN_SCOPE] : []);
