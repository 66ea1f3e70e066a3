/**
 * The two HTTP APIs: the public one (behind CloudFront; notices, choice pages, and the account
 * and admin routes behind the JWT authoriser when configured) and the service one (account and
 * admin routes behind IAM). Routes come from the manifest's route table (`functions/routes.ts`).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  HttpApi,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type HttpMethod,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { HttpLambdaName } from '../functions/manifest.ts';
import { authorizationScopes, routes, type Route } from '../functions/routes.ts';
import { pascal } from './construct-ids.ts';
import type { ResolvedPlatformProps } from './disclosure-platform-props.ts';
import { acknowledge } from './nag.ts';

/** The public and the service API. */
export interface PlatformApis {
  /** Public API (notices, choice pages, and JWT-authorised account/admin routes when configured). */
  readonly publicApi: HttpApi;
  /** Service API: account and admin routes behind the IAM authoriser, for trusted services. */
  readonly serviceApi: HttpApi;
}

/** Access log line of both APIs: no source IP (never log a full IP), no user agent, no body. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/** Creates both APIs without stages or routes: the distribution needs the public endpoint before the functions exist. */
export const createHttpApis = (scope: Construct): PlatformApis => ({
  publicApi: new HttpApi(scope, 'PublicApi', {
    description: 'Disclosure public API (behind CloudFront)',
    createDefaultStage: false,
  }),
  serviceApi: new HttpApi(scope, 'ServiceApi', {
    description: 'Disclosure service API: account and admin routes, IAM (SigV4) authorised',
    createDefaultStage: false,
  }),
});

/** The write routes throttled on their own (`writeRouteThrottle`): a flood of one cannot spend the stage's budget. */
export const THROTTLED_ROUTE_KEYS = ['POST /choices/{token}', 'POST /v1/accounts/{accountId}/acceptances'] as const;

const addStage = (scope: Construct, api: HttpApi, id: string, config: ResolvedPlatformProps): HttpStage => {
  const accessLogGroup = new logs.LogGroup(scope, `${id}AccessLogGroup`, {
    retention: config.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new HttpStage(scope, `${id}Stage`, {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: config.apiThrottle,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogGroup),
      format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    },
  });
};

/**
 * One HTTP API route carries one authoriser, so authenticated routes are published twice:
 * on the service API with the IAM authoriser, and (when `jwt` is set) on the public API with
 * the JWT authoriser. Public routes exist on the public API only. See docs/runbook.md.
 */
/** One published route with its API and route key. */
interface PublishedRoute {
  readonly api: HttpApi;
  readonly key: string;
  readonly route: HttpRoute;
}

const addRoutes = (scope: Construct, apis: PlatformApis, functions: Readonly<Record<HttpLambdaName, IFunction>>, config: ResolvedPlatformProps): PublishedRoute[] => {
  const published: PublishedRoute[] = [];
  const integrations = new Map<string, HttpLambdaIntegration>();
  const integration = (api: string, lambdaName: HttpLambdaName): HttpLambdaIntegration => {
    const key = `${api}:${lambdaName}`;
    let found = integrations.get(key);
    if (!found) {
      found = new HttpLambdaIntegration(`${api}${pascal(lambdaName)}Integration`, functions[lambdaName]);
      integrations.set(key, found);
    }
    return found;
  };
  const iamAuthorizer = new HttpIamAuthorizer();
  const jwtAuthorizer = config.jwt
    ? new HttpJwtAuthorizer('JwtAuthorizer', config.jwt.issuer, { jwtAudience: [...config.jwt.audience] })
    : undefined;
  const add = (api: HttpApi, apiName: string, route: Route, authorizer?: IHttpRouteAuthorizer, scopes?: string[]): void => {
    const created = api.addRoutes({
      path: route.path,
      methods: [route.method as HttpMethod],
      integration: integration(apiName, route.lambda),
      ...(authorizer ? { authorizer } : {}),
      ...(scopes ? { authorizationScopes: scopes } : {}),
    });
    published.push(...created.map((created) => ({ api, key: `${route.method} ${route.path}`, route: created })));
    if (route.auth === 'public') {
      for (const r of created) {
        acknowledge(r, 'AwsSolutions-APIG4', `${route.method} ${route.path} is public by the product contract (notices, OpenAPI, HMAC-token-bound choice pages).`);
      }
    }
  };
  for (const route of routes) {
    if (route.auth === 'public') {
      add(apis.publicApi, 'Public', route);
      continue;
    }
    add(apis.serviceApi, 'Service', route, iamAuthorizer);
    if (jwtAuthorizer) {
      const scopes = authorizationScopes(route);
      add(apis.publicApi, 'Public', route, jwtAuthorizer, scopes.length > 0 ? [...scopes] : undefined);
    }
  }
  // Unknown paths and methods get the notice function's problem+json 404/405, not API Gateway's bare JSON.
  const fallback = new HttpRoute(scope, 'PublicApiDefaultRoute', {
    httpApi: apis.publicApi,
    routeKey: HttpRouteKey.DEFAULT,
    integration: integration('Public', 'notices'),
  });
  acknowledge(fallback, 'AwsSolutions-APIG4', 'The $default route only answers problem+json 404/405 for paths and methods no other route matches; it reads no data.');
  return published;
};

/**
 * Route-level throttles on each stage for the write routes it carries (CloudFormation's
 * `RouteSettings`, which the L2 stage does not expose). A stage's route settings name routes that
 * must exist first, hence the dependencies on them.
 */
const throttleWriteRoutes = (stages: readonly HttpStage[], published: readonly PublishedRoute[], config: ResolvedPlatformProps): void => {
  for (const stage of stages) {
    const throttled = published.filter(({ api, key }) => api === stage.api && (THROTTLED_ROUTE_KEYS as readonly string[]).includes(key));
    if (throttled.length === 0) continue;
    const settings = Object.fromEntries(throttled.map(({ key }) => [key, {
      ThrottlingRateLimit: config.writeRouteThrottle.rateLimit,
      ThrottlingBurstLimit: config.writeRouteThrottle.burstLimit,
    }]));
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', settings);
    for (const { route } of throttled) stage.node.addDependency(route);
  }
};

/** Adds the throttled, access-logged `$default` stages and every route of the route table to both APIs. */
export const publishHttpApis = (
  scope: Construct,
  apis: PlatformApis,
  functions: Readonly<Record<HttpLambdaName, IFunction>>,
  config: ResolvedPlatformProps,
): void => {
  const stages = [addStage(scope, apis.publicApi, 'PublicApi', config), addStage(scope, apis.serviceApi, 'ServiceApi', config)];
  const published = addRoutes(scope, apis, functions, config);
  throttleWriteRoutes(stages, published, config);
};
