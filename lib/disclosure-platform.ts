/**
 * `DisclosurePlatform`: the whole serverless platform as one construct — the notice, account,
 * campaign and choice Lambdas, two HTTP APIs (public behind CloudFront, IAM-authorised for
 * services), the ledger table, the campaign queues, SES, the choice-token secret, the choice
 * event bus, alarms and a dashboard. Everything it needs arrives as props; nothing here reads
 * `process.env` or the network, so synth is deterministic.
 *
 * Each concern has its own builder (data, messaging, edge, functions, HTTP APIs,
 * observability); every builder creates its resources directly in this construct's scope, so
 * the construct paths, and with them the logical ids, are those of the single-file construct
 * this replaced (`test/infra/pinned-logical-ids.test.ts` proves it).
 */
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LambdaName } from '../functions/manifest.ts';
import { buildData } from './data.ts';
import { resolvePlatformProps, type DisclosurePlatformProps, type ResolvedPlatformProps } from './disclosure-platform-props.ts';
import { buildDistribution } from './edge/distribution.ts';
import { buildOriginSecret } from './edge/origin-secret.ts';
import { acknowledgeGrantWildcards, buildFunctions } from './functions.ts';
import { createHttpApis, publishHttpApis } from './http-apis.ts';
import { buildMessaging } from './messaging.ts';
import { buildObservability, type AlarmSeverity } from './observability.ts';

export * from './disclosure-platform-props.ts';
export { STATEFUL_LOGICAL_IDS } from './construct-ids.ts';

/** Every Lambda of the platform (the rows of `functions/manifest.ts`). */
export type PlatformFunctionName = LambdaName;

/** The Disclosure platform: serve notices, record acceptances, run change-notice campaigns. */
export class DisclosurePlatform extends Construct {
  /** Every function, by name (one per row of `functions/manifest.ts`). */
  public readonly functions: Readonly<Record<PlatformFunctionName, NodejsFunction>>;
  /** The ledger table (acceptances, state, contacts, campaigns). */
  public readonly table: dynamodb.Table;
  /** Customer-managed key of the table and the choice-token secret. */
  public readonly dataKey: kms.Key;
  /** Campaign start → planner. */
  public readonly plannerQueue: sqs.Queue;
  /** Planner → sender (batches of recipients). */
  public readonly sendQueue: sqs.Queue;
  /** SES configuration-set events on their way to the ses-events function, which takes them in batches. */
  public readonly sesEventsQueue: sqs.Queue;
  /** HMAC key of the choice tokens. */
  public readonly tokenSecret: secretsmanager.Secret;
  /** Where recorded choices are published for downstream services. */
  public readonly choiceEventBus: events.EventBus;
  /** SES configuration set every change-notice email is sent through. */
  public readonly configurationSet: ses.ConfigurationSet;
  /** Public API (notices, choice pages, and JWT-authorised account/admin routes when configured). */
  public readonly publicApi: HttpApi;
  /** Service API: account and admin routes behind the IAM authoriser, for trusted services. */
  public readonly serviceApi: HttpApi;
  /** CloudFront in front of the public API. */
  public readonly distribution: cloudfront.Distribution;
  /** The `x-origin-verify` value CloudFront sends and the public Lambdas check (docs/runbook.md, "Origin verification"). */
  public readonly originVerifySecret: secretsmanager.Secret;
  /** Page-worthy alarms publish here. */
  public readonly alarmTopic: sns.Topic;
  /** Ticket-worthy alarms publish here. */
  public readonly ticketTopic: sns.Topic;
  /** Each alarm's severity, by construct id. */
  public readonly alarmSeverities: Readonly<Record<string, AlarmSeverity>>;
  /** Every alarm of the platform. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The operations dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The validated props with their defaults. */
  public readonly config: ResolvedPlatformProps;

  constructor(scope: Construct, id: string, props: DisclosurePlatformProps) {
    super(scope, id);
    const config = resolvePlatformProps(props);
    this.config = config;

    const data = buildData(this);
    this.dataKey = data.dataKey;
    this.table = data.table;
    this.tokenSecret = data.tokenSecret;
    const messaging = buildMessaging(this, config);
    this.plannerQueue = messaging.queues.planner;
    this.sendQueue = messaging.queues.send;
    this.sesEventsQueue = messaging.queues['ses-events'];
    this.choiceEventBus = messaging.choiceEventBus;
    this.configurationSet = messaging.configurationSet;

    // The distribution is created after the public API (its origin), before the functions that link to its domain.
    const apis = createHttpApis(this);
    this.publicApi = apis.publicApi;
    this.serviceApi = apis.serviceApi;
    const originVerification = buildOriginSecret(this, data.dataKey, config);
    this.originVerifySecret = originVerification.secret;
    this.distribution = buildDistribution(this, config, this.publicApi, originVerification.headerValue);
    // Links in emails go through CloudFront (or the custom domain in front of it), never to the origin API.
    const publicBaseUrl = config.publicBaseUrl ?? `https://${this.distribution.distributionDomainName}`;

    this.functions = buildFunctions(this, { config, data, messaging, publicBaseUrl, originVerifyValues: originVerification.acceptedValues });
    publishHttpApis(this, apis, this.functions, config);

    const observability = buildObservability(this, { functions: this.functions, ...apis, ...messaging, table: data.table, distribution: this.distribution }, config);
    this.alarmTopic = observability.alarmTopic;
    this.ticketTopic = observability.ticketTopic;
    this.alarmSeverities = observability.severities;
    this.alarms = observability.alarms;
    this.dashboard = observability.dashboard;

    acknowledgeGrantWildcards(this, this.functions);
  }
}
