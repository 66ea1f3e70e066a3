/**
 * The one list of the platform's Lambdas: for each, its entry file, trigger, sizing, the
 * environment it reads and what it is granted. `lib/` builds the functions, their environment,
 * IAM grants and triggers from it; `functions/lambda-env.ts` parses exactly these variables in
 * each `defaultDeps`; the route table, the local platform, the bundle test and the bench
 * discover the Lambdas here. Pure data importing only the environment-variable table
 * (`./environment-variables.ts`), so CDK, tests, bench and the local platform all read it. Each
 * row is its own export so a handler imports its row alone and its bundle carries no other
 * Lambda's routes or environment.
 */
import type { EnvironmentOf, EnvironmentVariable } from './environment-variables.ts';

/**
 * What a Lambda may do beyond writing its own log group and using its row's `ledger` actions,
 * each one grant in `lib/functions.ts`.
 */
export type LambdaGrant =
  | 'planner-queue:send'
  | 'send-queue:send'
  | 'token-secret:read'
  | 'ses:send'
  | 'ses:read-account'
  | 'choice-bus:put';

/**
 * A DynamoDB action on the ledger table (and its indexes). A row lists exactly the ones its
 * handler calls: `npm run test:artifacts` records every call of the bundles in a full flow and
 * fails on a call its role lacks or a listed action nothing calls.
 */
export type LedgerAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'BatchWriteItem' | 'DeleteItem';

/** Who may call a route: API Gateway attaches the authoriser; handlers still decide per account. */
export type RouteAuth = 'public' | 'account' | 'admin';

/** One HTTP route of a Lambda (API Gateway path with `{param}` placeholders). */
export interface LambdaRoute {
  /** `HEAD` is never written here: `functions/routes.ts` gives every `GET` its `HEAD` twin. */
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly auth: RouteAuth;
}

/** The API Gateway route key of a route, e.g. `GET /v1/notices/{noticeId}`. */
export const routeKeyOf = (route: Pick<LambdaRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** What the HTTP router reads of an HTTP Lambda's manifest row. */
export interface HttpLambdaRoutes {
  readonly entry: string;
  readonly trigger: { readonly kind: 'http'; readonly routes: readonly LambdaRoute[] };
}

/** The platform's work queues (each with its dead-letter queue, in `lib/messaging.ts`). */
export type QueueName = 'planner' | 'send' | 'ses-events';

/** What invokes a Lambda. */
export type LambdaTrigger =
  | { readonly kind: 'http'; readonly routes: readonly LambdaRoute[] }
  | {
      readonly kind: 'queue';
      readonly queue: QueueName;
      readonly batchSize: number;
      /** Failed records are reported one by one (`ReportBatchItemFailures`) instead of failing the batch. */
      readonly reportBatchItemFailures?: boolean;
      readonly maxBatchingWindowSeconds?: number;
    }
  | {
      readonly kind: 'schedule';
      readonly rateHours: number;
      readonly description: string;
      /** Construct id of the EventBridge rule, fixed so the rule keeps its logical id. */
      readonly ruleId: string;
    };

/** One row of the manifest. */
export interface LambdaSpec {
  /** The handler module (exports `handler`), relative to the repository root. */
  readonly entry: string;
  readonly trigger: LambdaTrigger;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Powertools logger environment (`POWERTOOLS_SERVICE_NAME` …); off for a Lambda that logs nothing. */
  readonly powertools: boolean;
  /** Reserved concurrency and SQS maximum concurrency sized from the SES send quota. */
  readonly sizedBySendQuota?: boolean;
  /** Reads the pre-rendered content from `.build/serving/`, copied beside its bundle (`functions/content/serving-files.ts`). */
  readonly servesContentFiles?: boolean;
  /** Exactly the variables the handler's `defaultDeps` reads. */
  readonly environment: readonly EnvironmentVariable[];
  /** The ledger table's actions its code calls (none: no access to the table). */
  readonly ledger: readonly LedgerAction[];
  readonly grants: readonly LambdaGrant[];
  /** The local platform module that wires it: `local/wiring/<localWiring>.ts`. */
  readonly localWiring: string;
}

/** notices: Serves the notices and the OpenAPI document from the bundled content. */
export const noticesLambda = {
  memoryMb: 512,
  timeoutSeconds: 10,
  entry: 'functions/lambdas/notices.ts',
  trigger: {
    kind: 'http',
    routes: [
      { method: 'GET', path: '/v1/openapi.json', auth: 'public' },
      { method: 'GET', path: '/v1/notices', auth: 'public' },
      { method: 'GET', path: '/v1/notices/{noticeId}', auth: 'public' },
      { method: 'GET', path: '/v1/notices/{noticeId}/versions', auth: 'public' },
      { method: 'GET', path: '/v1/notices/{noticeId}/diff', auth: 'public' },
    ],
  },
  // Content read from the files shipped beside the bundle; no AWS SDK, no permission beyond its log group.
  powertools: false,
  servesContentFiles: true,
  // ORIGIN_VERIFY_VALUES: requests that bypassed CloudFront are refused (functions/http/origin-verify.ts).
  environment: ['ORIGIN_VERIFY_VALUES'],
  ledger: [],
  grants: [],
  localWiring: 'notices',
} as const satisfies LambdaSpec;

/** accounts: Records acceptances, answers an account's notice status, keeps its contact address. */
export const accountsLambda = {
  memoryMb: 512,
  timeoutSeconds: 10,
  powertools: true,
  entry: 'functions/lambdas/accounts.ts',
  trigger: {
    kind: 'http',
    routes: [
      { method: 'POST', path: '/v1/accounts/{accountId}/acceptances', auth: 'account' },
      { method: 'GET', path: '/v1/accounts/{accountId}/acceptances', auth: 'account' },
      { method: 'GET', path: '/v1/accounts/{accountId}/evidence', auth: 'account' },
      { method: 'GET', path: '/v1/accounts/{accountId}/notices/{noticeId}/status', auth: 'account' },
      { method: 'PUT', path: '/v1/accounts/{accountId}/contact', auth: 'account' },
      { method: 'DELETE', path: '/v1/accounts/{accountId}/contact', auth: 'account' },
    ],
  },
  // ORIGIN_VERIFY_VALUES: on the public API (JWT routes) requests that bypassed CloudFront are refused.
  environment: ['TABLE_NAME', 'ORIGIN_VERIFY_VALUES'],
  // BatchGetItem: the evidence route reads the notification evidence an account's campaign recipient items hold.
  ledger: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
  grants: [],
  localWiring: 'accounts',
} as const satisfies LambdaSpec;

/** campaigns-api: Starts campaigns (or dry-runs them) and reports their progress. */
export const campaignsApiLambda = {
  memoryMb: 512,
  timeoutSeconds: 10,
  powertools: true,
  entry: 'functions/lambdas/campaigns-api.ts',
  trigger: {
    kind: 'http',
    routes: [
      { method: 'POST', path: '/v1/campaigns', auth: 'admin' },
      { method: 'GET', path: '/v1/campaigns', auth: 'admin' },
      { method: 'GET', path: '/v1/campaigns/{campaignId}', auth: 'admin' },
      { method: 'POST', path: '/v1/campaigns/{campaignId}/pause', auth: 'admin' },
      { method: 'POST', path: '/v1/campaigns/{campaignId}/resume', auth: 'admin' },
      { method: 'POST', path: '/v1/campaigns/{campaignId}/retry-failed', auth: 'admin' },
    ],
  },
  // SENDER_IDENTITY, SEND_QUOTA_PER_SECOND: the SES readiness a dry run and a start check.
  // ORIGIN_VERIFY_VALUES: on the public API (JWT routes) requests that bypassed CloudFront are refused.
  environment: ['TABLE_NAME', 'PLANNER_QUEUE_URL', 'SEND_QUEUE_URL', 'PUBLIC_BASE_URL', 'INFORMATIONAL_EMAILS', 'SENDER_IDENTITY', 'SEND_QUOTA_PER_SECOND', 'ORIGIN_VERIFY_VALUES'],
  // DeleteItem and the send queue: resuming a paused campaign moves its parked sends back to the queue.
  // Query/UpdateItem also serve retry-failed; SES account reads: readiness.
  ledger: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  grants: ['planner-queue:send', 'send-queue:send', 'ses:read-account'],
  localWiring: 'campaigns-api',
} as const satisfies LambdaSpec;

/** choices: The choice pages behind the signed links in the emails. */
export const choicesLambda = {
  memoryMb: 512,
  timeoutSeconds: 10,
  powertools: true,
  entry: 'functions/lambdas/choices.ts',
  trigger: {
    kind: 'http',
    routes: [
      { method: 'GET', path: '/choices/{token}', auth: 'public' },
      { method: 'POST', path: '/choices/{token}', auth: 'public' },
    ],
  },
  // PUBLIC_BASE_URL: the origin a browser's same-site POST comes from; CHOICE_CHANGE_LIMIT: changes per account and campaign.
  environment: ['TABLE_NAME', 'TOKEN_SECRET_ARN', 'EVENT_BUS_NAME', 'PUBLIC_BASE_URL', 'CHOICE_CHANGE_LIMIT', 'ORIGIN_VERIFY_VALUES'],
  // DeleteItem: the choice event's outbox entry, once EventBridge took it. Query: a recipient's send facts (its attempt's call items).
  ledger: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  grants: ['choice-bus:put', 'token-secret:read'],
  localWiring: 'choices',
} as const satisfies LambdaSpec;

/** campaign-planner: Plans one (campaign, region, shard) per planner-queue message into send batches. */
export const campaignPlannerLambda = {
  entry: 'functions/lambdas/campaign-planner.ts',
  trigger: { kind: 'queue', queue: 'planner', batchSize: 1, reportBatchItemFailures: true },
  memoryMb: 512,
  timeoutSeconds: 300,
  powertools: true,
  // PLANNER_QUEUE_URL: a very large shard continues in a fresh invocation instead of running into the timeout.
  environment: ['TABLE_NAME', 'SEND_QUEUE_URL', 'PLANNER_QUEUE_URL'],
  // Reads the audience; writes only its cursors; never deletes.
  ledger: ['GetItem', 'Query', 'UpdateItem'],
  grants: ['send-queue:send', 'planner-queue:send'],
  localWiring: 'workers',
} as const satisfies LambdaSpec;

/** campaign-sender: Sends the batches through SES within the shared send quota. */
export const campaignSenderLambda = {
  entry: 'functions/lambdas/campaign-sender.ts',
  trigger: { kind: 'queue', queue: 'send', batchSize: 10, reportBatchItemFailures: true },
  // Waits on the send quota and SES, computes little (50 HMAC-signed links a call): 256 MB halves the GB-s of every email.
  memoryMb: 256,
  timeoutSeconds: 60,
  powertools: true,
  sizedBySendQuota: true,
  environment: ['TABLE_NAME', 'CONFIGURATION_SET', 'SENDER_ADDRESS', 'SEND_QUOTA_PER_SECOND', 'TOKEN_SECRET_ARN', 'PUBLIC_BASE_URL'],
  // Query: a redelivered claim reads its previous attempt's call items before any takeover.
  ledger: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
  grants: ['token-secret:read', 'ses:send'],
  localWiring: 'workers',
} as const satisfies LambdaSpec;

/** ses-events: Records the configuration set's SES events (send, delivery, bounce, complaint …) as evidence. */
export const sesEventsLambda = {
  entry: 'functions/lambdas/ses-events.ts',
  // Fed by the SES-events rule (lib/messaging.ts): one invocation per up to 100 events.
  trigger: { kind: 'queue', queue: 'ses-events', batchSize: 100, maxBatchingWindowSeconds: 5, reportBatchItemFailures: true },
  memoryMb: 256,
  timeoutSeconds: 30,
  powertools: true,
  // AUTO_PAUSE_*: the campaign's own reputation guard (functions/campaigns/auto-pause.ts).
  environment: ['TABLE_NAME', 'AUTO_PAUSE_BOUNCE_RATIO', 'AUTO_PAUSE_COMPLAINT_RATIO', 'AUTO_PAUSE_MIN_SENT'],
  // Keeps outcomes on the recipient items (their evidence), writes the rest as evidence, and counters; reads by key
  // (the campaign, the recipients an event settles or a reminder's, a recipient whose outcome condition failed) and, for the
  // reputation guard after a bounce or complaint, the campaign's counters (Query of its partition).
  ledger: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'BatchWriteItem'],
  grants: [],
  localWiring: 'workers',
} as const satisfies LambdaSpec;

/** campaign-scheduler: Hourly: reminders before a deadline, the protective default at it, late acceptors enrolled. */
export const campaignSchedulerLambda = {
  entry: 'functions/lambdas/campaign-scheduler.ts',
  trigger: { kind: 'schedule', rateHours: 1, description: 'Hourly: campaign reminders and deadline defaults', ruleId: 'SchedulerRule' },
  memoryMb: 512,
  timeoutSeconds: 300,
  powertools: true,
  // SENDER_IDENTITY, SEND_QUOTA_PER_SECOND: a blocked campaign runs again once SES is ready.
  environment: ['TABLE_NAME', 'SEND_QUEUE_URL', 'EVENT_BUS_NAME', 'REMINDER_DAYS', 'MIN_ANSWER_DAYS', 'SENDER_IDENTITY', 'SEND_QUOTA_PER_SECOND'],
  // BatchGetItem: late acceptors' contacts; DeleteItem: settled late markers and drained outbox entries.
  ledger: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  grants: ['send-queue:send', 'choice-bus:put', 'ses:read-account'],
  // Runs on a local timer beside the choices Lambda, which shares its choice store and events.
  localWiring: 'choices',
} as const satisfies LambdaSpec;

/** Every Lambda, in the order the stack creates them (one row of the design doc's table each). */
export const LAMBDAS = {
  notices: noticesLambda,
  accounts: accountsLambda,
  'campaigns-api': campaignsApiLambda,
  choices: choicesLambda,
  'campaign-planner': campaignPlannerLambda,
  'campaign-sender': campaignSenderLambda,
  'ses-events': sesEventsLambda,
  'campaign-scheduler': campaignSchedulerLambda,
} as const;

export type LambdaName = keyof typeof LAMBDAS;

/** The Lambdas behind an HTTP API. */
export type HttpLambdaName = { [N in LambdaName]: (typeof LAMBDAS)[N]['trigger']['kind'] extends 'http' ? N : never }[LambdaName];

/** Every Lambda name, in manifest order. */
export const LAMBDA_NAMES = /* @__PURE__ */ Object.keys(LAMBDAS) as LambdaName[];

/** The spec of one Lambda. */
export const lambdaSpec = (name: LambdaName): LambdaSpec => LAMBDAS[name];

/** Whether a Lambda is invoked through the HTTP APIs. */
export const isHttpLambda = (name: LambdaName): name is HttpLambdaName => LAMBDAS[name].trigger.kind === 'http';

/** The parsed environment of one Lambda, by name. */
export type LambdaEnvironment<N extends LambdaName> = EnvironmentOf<(typeof LAMBDAS)[N]>;

/** The local wiring modules, in manifest order (several Lambdas may share one). */
export type WiringName = (typeof LAMBDAS)[LambdaName]['localWiring'];

const wiringModuleNames = (): WiringName[] => [...new Set(LAMBDA_NAMES.map((name) => LAMBDAS[name].localWiring))];

/** Every local wiring module once, in the order of the first Lambda each wires. */
export const WIRING_MODULE_NAMES = /* @__PURE__ */ wiringModuleNames();

/** The HTTP Lambda a wiring module serves the routes of, if any (a module named after it). */
export const httpLambdaWiredBy = (wiring: WiringName): HttpLambdaName | undefined =>
  LAMBDA_NAMES.find((name): name is HttpLambdaName => isHttpLambda(name) && LAMBDAS[name].localWiring === wiring);
