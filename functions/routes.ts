/** The single route table: the local gateway and the CDK construct both build from it. */
export type LambdaName = 'notices' | 'accounts' | 'campaigns-api' | 'choices';

/** Who may call a route: API Gateway attaches the authoriser; handlers still decide per account. */
export type RouteAuth = 'public' | 'account' | 'admin';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path, with `{param}` placeholders. */
  readonly path: string;
  readonly lambda: LambdaName;
  readonly auth: RouteAuth;
}

export const routes: readonly Route[] = [
  { method: 'GET', path: '/v1/openapi.json', lambda: 'notices', auth: 'public' },
  { method: 'GET', path: '/v1/notices', lambda: 'notices', auth: 'public' },
  { method: 'GET', path: '/v1/notices/{noticeId}', lambda: 'notices', auth: 'public' },
  { method: 'GET', path: '/v1/notices/{noticeId}/versions', lambda: 'notices', auth: 'public' },
  { method: 'GET', path: '/v1/notices/{noticeId}/diff', lambda: 'notices', auth: 'public' },
  { method: 'POST', path: '/v1/accounts/{accountId}/acceptances', lambda: 'accounts', auth: 'account' },
  { method: 'GET', path: '/v1/accounts/{accountId}/acceptances', lambda: 'accounts', auth: 'account' },
  { method: 'GET', path: '/v1/accounts/{accountId}/notices/{noticeId}/status', lambda: 'accounts', auth: 'account' },
  { method: 'PUT', path: '/v1/accounts/{accountId}/contact', lambda: 'accounts', auth: 'account' },
  { method: 'DELETE', path: '/v1/accounts/{accountId}/contact', lambda: 'accounts', auth: 'account' },
  { method: 'POST', path: '/v1/campaigns', lambda: 'campaigns-api', auth: 'admin' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}', lambda: 'campaigns-api', auth: 'admin' },
  { method: 'GET', path: '/choices/{token}', lambda: 'choices', auth: 'public' },
  { method: 'POST', path: '/choices/{token}', lambda: 'choices', auth: 'public' },
];

/** The Lambda entry file for each HTTP-facing function, relative to the repository root. */
export const lambdaEntries: Record<LambdaName, string> = {
  notices: 'functions/lambdas/notices.ts',
  accounts: 'functions/lambdas/accounts.ts',
  'campaigns-api': 'functions/lambdas/campaigns-api.ts',
  choices: 'functions/lambdas/choices.ts',
};

/** The API Gateway route key, e.g. `GET /v1/notices/{noticeId}`. */
export const routeKey = (route: Route): string => `${route.method} ${route.path}`;
