/**
 * `DisclosurePlatform`: the whole serverless platform as one construct — the notice, account,
 * campaign and choice Lambdas, two HTTP APIs (public behind CloudFront, IAM-authorised for
 * services), the ledger table, the campaign queues, SES, the choice-token secret, the choice
 * event bus, alarms and a dashboard. Everything it needs arrives as props; nothing here reads
 * `process.env` or the network, so synth is deterministic.
 */
import path from 'node:path';
import { Aws, CfnResource, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
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
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ledgerTableDefinition } from '../functions/ledger/table-definition.ts';
import { ADMIN_SCOPE } from '../functions/http/principal.ts';
import { LAMBDAS, type LambdaName as ManifestLambdaName } from '../functions/manifest.ts';
import { routes, type LambdaName, type Route } from '../functions/routes.ts';
import {
  resolvePlatformProps,
  type DisclosurePlatformProps,
  type ResolvedPlatformProps,
} from './disclosure-platform-props.ts';
import { REGION_HEADER, regionFunctionCode } from './edge/region-function.ts';

export * from './disclosure-platform-props.ts';

/** Every Lambda of the platform (the rows of `functions/manifest.ts`). */
export type PlatformFunctionName = ManifestLambdaName;

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Logical ids of the stateful resources. Fixed so that refactoring the construct tree can never replace them. */
export const STATEFUL_LOGICAL_IDS = {
  dataKey: 'DataKey',
  table: 'LedgerTable',
  plannerQueue: 'PlannerQueue',
  plannerDeadLetterQueue: 'PlannerDeadLetterQueue',
  sendQueue: 'SendQueue',
  sendDeadLetterQueue: 'SendDeadLetterQueue',
  sesEventsQueue: 'SesEventsQueue',
  sesEventsDeadLetterQueue: 'SesEventsDeadLetterQueue',
  tokenSecret: 'ChoiceTokenSecret',
  choiceEventBus: 'ChoiceEventBus',
} as const;

/** SES sends up to 50 destinations per SendBulkEmail call: the unit the sender's concurrency is sized in. */
const BULK_DESTINATIONS = 50;

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

/** Pins a resource's logical id (the id CloudFormation tracks it by). */
const pinLogicalId = (construct: IConstruct, logicalId: string): void => {
  (construct.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
};

/** Records why a cdk-nag finding does not apply; every suppression in this file goes through here. */
const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};

const pascal = (name: string): string => name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

interface FunctionSpec {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly powertools: boolean;
  readonly reservedConcurrency?: number;
  readonly onFailure?: sqs.IQueue;
}

/** The Disclosure platform: serve notices, record acceptances, run change-notice campaigns. */
export class DisclosurePlatform extends Construct {
  /** Every function, by name (one per row of the design doc's Lambda table). */
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
  /** Every alarm publishes here. */
  public readonly alarmTopic: sns.Topic;
  /** Every alarm of the platform. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The operations dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The validated props with their defaults. */
  public readonly config: ResolvedPlatformProps;

  private readonly alarmList: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DisclosurePlatformProps) {
    super(scope, id);
    const config = resolvePlatformProps(props);
    this.config = config;
    const stack = Stack.of(this);

    // --- keys, table, secret, queues, buses --------------------------------------------------
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Disclosure: ledger table and choice-token secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.dataKey, STATEFUL_LOGICAL_IDS.dataKey);

    this.table = this.createTable();
    this.tokenSecret = new secretsmanager.Secret(this, 'ChoiceTokenSecret', {
      description: 'Disclosure: HMAC key of the choice tokens (see docs/runbook.md before rotating)',
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.tokenSecret, STATEFUL_LOGICAL_IDS.tokenSecret);
    acknowledge(this.tokenSecret, 'AwsSolutions-SMG4',
      'Rotating the HMAC key invalidates every outstanding choice link until its deadline; rotation is a planned, manual procedure between campaigns (docs/runbook.md, "Key rotation").');

    const plannerTimeout = Duration.minutes(5);
    const senderTimeout = Duration.minutes(1);
    [this.plannerQueue] = this.createQueuePair('Planner', plannerTimeout, STATEFUL_LOGICAL_IDS.plannerQueue, STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue);
    [this.sendQueue] = this.createQueuePair('Send', senderTimeout, STATEFUL_LOGICAL_IDS.sendQueue, STATEFUL_LOGICAL_IDS.sendDeadLetterQueue);
    const sesEventsTimeout = Duration.seconds(30);
    [this.sesEventsQueue] = this.createQueuePair('SesEvents', sesEventsTimeout, STATEFUL_LOGICAL_IDS.sesEventsQueue, STATEFUL_LOGICAL_IDS.sesEventsDeadLetterQueue);
    const eventsDeadLetterQueue = new sqs.Queue(this, 'EventsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(eventsDeadLetterQueue, 'AwsSolutions-SQS3',
      'This queue is the dead-letter destination of the EventBridge targets and of the asynchronous SES-event and scheduler invocations; a DLQ of a DLQ would hide failures.');

    this.choiceEventBus = new events.EventBus(this, 'ChoiceEventBus', {
      // Named after the stack, not the construct path: a refactor must not rename (replace) the bus consumers subscribe to.
      eventBusName: `${stack.stackName}-choices`,
      description: 'Disclosure: recorded choices (accept, keep-previous, delete) for downstream services',
    });
    pinLogicalId(this.choiceEventBus, STATEFUL_LOGICAL_IDS.choiceEventBus);
    this.choiceEventBus.archive('ChoiceEventArchive', {
      description: 'Replayable copy of every published choice (a downstream outage must not lose a delete request)',
      eventPattern: { account: [Aws.ACCOUNT_ID] },
      retention: Duration.days(400),
    });

    // --- SES ------------------------------------------------------------------------------------
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // SES v2 publishes to the default event bus only.
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.RENDERING_FAILURE,
      ],
    });
    if (config.createSenderIdentity) {
      new ses.EmailIdentity(this, 'SenderIdentity', {
        identity: config.senderIdentity.includes('@') ? ses.Identity.email(config.senderIdentity) : ses.Identity.domain(config.senderIdentity),
        configurationSet: this.configurationSet,
      });
    }

    // --- functions ------------------------------------------------------------------------------
    const table = { TABLE_NAME: this.table.tableName };
    // Links in emails go through CloudFront (or the custom domain in front of it), never to the origin API.
    const publicBaseUrl = (): string => config.publicBaseUrl ?? `https://${this.distribution.distributionDomainName}`;
    const senderConcurrency = Math.max(2, Math.ceil(config.sendQuotaPerSecond / BULK_DESTINATIONS) + 1);

    // The distribution is created before the functions that need its domain, after the public API.
    this.publicApi = new HttpApi(this, 'PublicApi', {
      description: 'Disclosure public API (behind CloudFront)',
      createDefaultStage: false,
    });
    this.serviceApi = new HttpApi(this, 'ServiceApi', {
      description: 'Disclosure service API: account and admin routes, IAM (SigV4) authorised',
      createDefaultStage: false,
    });
    this.distribution = this.createDistribution(config);

    const functions = {} as Record<PlatformFunctionName, NodejsFunction>;
    const make = (name: PlatformFunctionName, spec: FunctionSpec): NodejsFunction => {
      functions[name] = this.createFunction(name, spec, config);
      return functions[name];
    };
    const http = { memorySize: 512, timeout: Duration.seconds(10), powertools: true };

    // The notice function: content bundled, no AWS SDK, no environment, no permission beyond its log group.
    make('notices', { ...http, environment: {}, powertools: false });
    const accounts = make('accounts', { ...http, environment: { ...table } });
    const campaignsApi = make('campaigns-api', {
      ...http,
      environment: {
        ...table,
        PLANNER_QUEUE_URL: this.plannerQueue.queueUrl,
        PUBLIC_BASE_URL: publicBaseUrl(),
        INFORMATIONAL_EMAILS: String(config.informationalEmails),
      },
    });
    const choices = make('choices', {
      ...http,
      environment: { ...table, TOKEN_SECRET_ARN: this.tokenSecret.secretArn, EVENT_BUS_NAME: this.choiceEventBus.eventBusName },
    });
    const planner = make('campaign-planner', {
      memorySize: 512,
      timeout: plannerTimeout,
      powertools: true,
      environment: {
        ...table,
        SEND_QUEUE_URL: this.sendQueue.queueUrl,
        // Lets a very large shard continue in a fresh invocation instead of running into the timeout.
        PLANNER_QUEUE_URL: this.plannerQueue.queueUrl,
      },
    });
    const sender = make('campaign-sender', {
      memorySize: 512,
      timeout: senderTimeout,
      powertools: true,
      reservedConcurrency: senderConcurrency,
      environment: {
        ...table,
        CONFIGURATION_SET: this.configurationSet.configurationSetName,
        SENDER_ADDRESS: config.senderAddress,
        SEND_QUOTA_PER_SECOND: String(config.sendQuotaPerSecond),
        TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        PUBLIC_BASE_URL: publicBaseUrl(),
      },
    });
    const sesEvents = make('ses-events', {
      memorySize: 256,
      timeout: sesEventsTimeout,
      powertools: true,
      environment: { ...table },
    });
    const scheduler = make('campaign-scheduler', {
      memorySize: 512,
      timeout: Duration.minutes(5),
      powertools: true,
      environment: {
        ...table,
        SEND_QUEUE_URL: this.sendQueue.queueUrl,
        EVENT_BUS_NAME: this.choiceEventBus.eventBusName,
        REMINDER_DAYS: String(config.reminderDays),
      },
      onFailure: eventsDeadLetterQueue,
    });
    this.functions = functions;

    // --- least privilege, one grant per need -------------------------------------------------
    this.table.grantReadWriteData(accounts);

    this.table.grantReadWriteData(campaignsApi);
    this.plannerQueue.grantSendMessages(campaignsApi);

    this.table.grantReadData(planner);
    this.table.grant(planner, 'dynamodb:PutItem', 'dynamodb:UpdateItem'); // planner cursors
    this.sendQueue.grantSendMessages(planner);
    this.plannerQueue.grantSendMessages(planner); // continuation of a large shard

    this.table.grantReadWriteData(sender);
    this.tokenSecret.grantRead(sender);
    sender.addToRolePolicy(this.sesSendStatement(config));

    this.table.grantReadWriteData(choices);
    this.choiceEventBus.grantPutEventsTo(choices);
    this.tokenSecret.grantRead(choices);

    this.table.grantWriteData(sesEvents);
    this.table.grant(sesEvents, 'dynamodb:GetItem', 'dynamodb:BatchGetItem'); // the campaign; the recipients of Send events

    this.table.grantReadWriteData(scheduler);
    this.sendQueue.grantSendMessages(scheduler);
    this.choiceEventBus.grantPutEventsTo(scheduler);

    // --- triggers -------------------------------------------------------------------------------
    planner.addEventSource(new SqsEventSource(this.plannerQueue, { batchSize: 1, reportBatchItemFailures: true }));
    sender.addEventSource(new SqsEventSource(this.sendQueue, {
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: senderConcurrency,
    }));
    new events.Rule(this, 'SesEventsRule', {
      description: 'SES events of the Disclosure configuration set → ses-events',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      // Through a queue, not straight to the function: one invocation per up to 100 events instead of per event.
      targets: [new targets.SqsQueue(this.sesEventsQueue, { deadLetterQueue: eventsDeadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(12) })],
    });
    sesEvents.addEventSource(new SqsEventSource(this.sesEventsQueue, { batchSize: 100, maxBatchingWindow: Duration.seconds(5) }));
    new events.Rule(this, 'SchedulerRule', {
      description: 'Hourly: campaign reminders and deadline defaults',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(scheduler, { deadLetterQueue: eventsDeadLetterQueue, retryAttempts: 2 })],
    });

    // --- HTTP APIs ------------------------------------------------------------------------------
    this.addStage(this.publicApi, 'PublicApi', config);
    this.addStage(this.serviceApi, 'ServiceApi', config);
    this.addRoutes(config);

    // --- observability --------------------------------------------------------------------------
    this.alarmTopic = this.createAlarmTopic(config);
    this.createAlarms(config, eventsDeadLetterQueue);
    this.alarms = this.alarmList;
    this.dashboard = this.createDashboard();

    this.acknowledgeGrantWildcards();
  }

  private createTable(): dynamodb.Table {
    const definition = ledgerTableDefinition;
    const table = new dynamodb.Table(this, 'LedgerTable', {
      partitionKey: { name: definition.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: definition.sortKey.name, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: definition.timeToLiveAttribute,
    });
    for (const index of definition.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey.name, type: dynamodb.AttributeType.STRING },
        ...(index.projection.type === 'ALL'
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.nonKeyAttributes] }),
      });
    }
    pinLogicalId(table, STATEFUL_LOGICAL_IDS.table);
    return table;
  }

  /** A work queue and its dead-letter queue, SSL-only and encrypted; visibility 6× the consumer's timeout. */
  private createQueuePair(name: string, consumerTimeout: Duration, queueId: string, dlqId: string): [sqs.Queue, sqs.Queue] {
    const deadLetterQueue = new sqs.Queue(this, `${name}DeadLetterQueue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(deadLetterQueue, dlqId);
    const queue = new sqs.Queue(this, `${name}Queue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(queue, queueId);
    return [queue, deadLetterQueue];
  }

  private createFunction(name: PlatformFunctionName, spec: FunctionSpec, config: ResolvedPlatformProps): NodejsFunction {
    const id = pascal(name);
    const logGroup = new logs.LogGroup(this, `${id}LogGroup`, {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role: the managed AWSLambdaBasicExecutionRole would allow writing to any log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Disclosure ${name} function`,
    });
    logGroup.grantWrite(role);
    const environment: Record<string, string> = spec.powertools
      ? { POWERTOOLS_SERVICE_NAME: `disclosure-${name}`, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_LOGGER_LOG_EVENT: 'false', ...spec.environment }
      : { ...spec.environment };
    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: path.join(PROJECT_ROOT, LAMBDAS[name].entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      environment,
      description: `Disclosure ${name}`,
      ...(spec.onFailure ? { onFailure: new SqsDestination(spec.onFailure), retryAttempts: 2 } : {}),
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: false,
        // UTF-8 output: the Japanese content is a third smaller than as \u escapes. (The `charset`
        // bundling prop is not passed to esbuild by aws-cdk-lib 2.276, hence the raw flag.)
        esbuildArgs: { '--charset': 'utf8' },
        mainFields: ['module', 'main'],
        // The runtime provides the AWS SDK v3; the notice function must not import it at all.
        externalModules: ['@aws-sdk/*'],
        // Some CommonJS dependencies call require(); ESM output has none without this shim.
        banner: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
        forceDockerBundling: false,
      },
    });
    return fn;
  }

  /** `ses:SendEmail`/`ses:SendBulkEmail` from the sender address only, through this configuration set only. */
  private sesSendStatement(config: ResolvedPlatformProps): iam.PolicyStatement {
    const stack = Stack.of(this);
    return new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendBulkEmail'],
      resources: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: config.senderIdentity }),
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': config.senderAddress } },
    });
  }

  private createDistribution(config: ResolvedPlatformProps): cloudfront.Distribution {
    const regionFunction = new cloudfront.Function(this, 'RegionFunction', {
      comment: 'Disclosure: geo headers → x-notice-region, Accept-Language → one content language',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(regionFunctionCode(config.content)),
    });
    const noticeCachePolicy = new cloudfront.CachePolicy(this, 'NoticeCachePolicy', {
      comment: 'Disclosure notices: keyed by region and language, never by raw country',
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(REGION_HEADER, 'accept-language', 'accept'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.minutes(5),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // The handler resolves the region from the same geo headers; they reach it without entering the cache key.
    const noticeOriginRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'NoticeOriginRequestPolicy', {
      comment: 'Disclosure notices: geo headers to the origin, outside the cache key',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('CloudFront-Viewer-Country', 'CloudFront-Viewer-Country-Region'),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const origin = new HttpOrigin(Fn.select(2, Fn.split('/', this.publicApi.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const noticeBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      cachePolicy: noticeCachePolicy,
      originRequestPolicy: noticeOriginRequestPolicy,
      compress: true,
      functionAssociations: [{ function: regionFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    };
    const logBucket = new s3.Bucket(this, 'EdgeLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes through an ACL grant.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(logBucket, 'AwsSolutions-S1', 'This bucket only receives CloudFront access logs; logging its own access would log the log writer.');
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Disclosure public API',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Account, admin and choice routes: never cached, every viewer header (Authorization included) forwarded.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: true,
      },
      additionalBehaviors: {
        '/v1/notices*': noticeBehavior,
        '/v1/openapi.json': noticeBehavior,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: config.webAclArn,
    });
    acknowledge(distribution, 'AwsSolutions-CFR1', 'A privacy notice must be readable from every country; the region is chosen per viewer, not blocked.');
    if (!config.webAclArn) {
      acknowledge(distribution, 'AwsSolutions-CFR2',
        'No web ACL by default (WAF costs per request); the public routes are read-only or token-bound and API stages are throttled. Pass webAclArn to attach one.');
    }
    acknowledge(distribution, 'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate has a fixed security policy (TLSv1 is the minimum CloudFront reports for it); origin traffic is TLS 1.2 only. Put a custom domain and certificate in front to raise the viewer minimum.');
    return distribution;
  }

  private addStage(api: HttpApi, id: string, config: ResolvedPlatformProps): void {
    const accessLogGroup = new logs.LogGroup(this, `${id}AccessLogGroup`, {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, `${id}Stage`, {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
  }

  /**
   * One HTTP API route carries one authoriser, so authenticated routes are published twice:
   * on the service API with the IAM authoriser, and (when `jwt` is set) on the public API with
   * the JWT authoriser. Public routes exist on the public API only. See docs/runbook.md.
   */
  private addRoutes(config: ResolvedPlatformProps): void {
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integration = (api: string, lambdaName: LambdaName): HttpLambdaIntegration => {
      const key = `${api}:${lambdaName}`;
      let found = integrations.get(key);
      if (!found) {
        found = new HttpLambdaIntegration(`${api}${pascal(lambdaName)}Integration`, this.functions[lambdaName]);
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
      if (route.auth === 'public') {
        for (const r of created) {
          acknowledge(r, 'AwsSolutions-APIG4', `${route.method} ${route.path} is public by the product contract (notices, OpenAPI, HMAC-token-bound choice pages).`);
        }
      }
    };
    for (const route of routes) {
      if (route.auth === 'public') {
        add(this.publicApi, 'Public', route);
        continue;
      }
      add(this.serviceApi, 'Service', route, iamAuthorizer);
      if (jwtAuthorizer) add(this.publicApi, 'Public', route, jwtAuthorizer, route.auth === 'admin' ? [ADMIN_SCOPE] : undefined);
    }
    // Unknown paths and methods get the notice function's problem+json 404/405, not API Gateway's bare JSON.
    const fallback = new HttpRoute(this, 'PublicApiDefaultRoute', {
      httpApi: this.publicApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integration('Public', 'notices'),
    });
    acknowledge(fallback, 'AwsSolutions-APIG4', 'The $default route only answers problem+json 404/405 for paths and methods no other route matches; it reads no data.');
  }

  private createAlarmTopic(config: ResolvedPlatformProps): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Disclosure: alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to an encrypted topic only when the key lets them.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Disclosure alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    return topic;
  }

  private alarm(id: string, props: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarmList.push(alarm);
    return alarm;
  }

  private createAlarms(config: ResolvedPlatformProps, eventsDeadLetterQueue: sqs.Queue): void {
    const fiveMinutes = Duration.minutes(5);
    for (const [name, fn] of Object.entries(this.functions)) {
      const id = pascal(name);
      this.alarm(`${id}ErrorsAlarm`, {
        alarmDescription: `Disclosure ${name}: invocation errors (runbook: "Lambda errors")`,
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      this.alarm(`${id}ThrottlesAlarm`, {
        alarmDescription: `Disclosure ${name}: throttled invocations (runbook: "Lambda throttles")`,
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    for (const [id, api] of [['PublicApi', this.publicApi], ['ServiceApi', this.serviceApi]] as const) {
      this.alarm(`${id}ServerErrorAlarm`, {
        alarmDescription: `Disclosure ${id}: 5xx responses (runbook: "API 5xx")`,
        metric: api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    const queues: [string, sqs.Queue, sqs.IQueue | undefined][] = [
      ['PlannerQueue', this.plannerQueue, this.plannerQueue.deadLetterQueue?.queue],
      ['SendQueue', this.sendQueue, this.sendQueue.deadLetterQueue?.queue],
      ['SesEventsQueue', this.sesEventsQueue, this.sesEventsQueue.deadLetterQueue?.queue],
    ];
    for (const [id, queue, deadLetterQueue] of queues) {
      this.alarm(`${id}AgeAlarm`, {
        alarmDescription: `Disclosure ${id}: oldest message older than ${config.queueAgeAlarmThreshold.toMinutes()} min (runbook: "Queue age")`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: config.queueAgeAlarmThreshold.toSeconds(),
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      if (deadLetterQueue) {
        this.alarm(`${id}DeadLetterAlarm`, {
          alarmDescription: `Disclosure ${id}: messages in the dead-letter queue (runbook: "DLQ redrive")`,
          metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        });
      }
    }
    this.alarm('EventsDeadLetterAlarm', {
      alarmDescription: 'Disclosure: undelivered SES events or scheduler runs (runbook: "DLQ redrive")',
      metric: eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    // Account-level reputation: what SES reviews and pauses an account on (5 % bounces, 0.1 % complaints).
    const reputation = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    this.alarm('SesBounceRateAlarm', {
      alarmDescription: 'Disclosure: SES bounce rate above 4 % (SES reviews at 5 %) (runbook: "SES bounce/complaint rate")',
      metric: reputation('Reputation.BounceRate'),
      threshold: 0.04,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.alarm('SesComplaintRateAlarm', {
      alarmDescription: 'Disclosure: SES complaint rate above 0.08 % (SES reviews at 0.1 %) (runbook: "SES bounce/complaint rate")',
      metric: reputation('Reputation.ComplaintRate'),
      threshold: 0.0008,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private createDashboard(): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const fns = Object.entries(this.functions);
    const sesMetric = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Sum', period: Duration.minutes(5) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width: 12,
        left: [this.publicApi.metricCount(), this.serviceApi.metricCount()],
        right: [this.publicApi.metricServerError(), this.publicApi.metricClientError(), this.serviceApi.metricServerError()],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency p99',
        width: 12,
        left: [this.publicApi.metricLatency({ statistic: 'p99' }), this.serviceApi.metricLatency({ statistic: 'p99' })],
      }),
      new cloudwatch.GraphWidget({ title: 'Lambda errors', width: 12, left: fns.map(([name, fn]) => fn.metricErrors({ label: name })) }),
      new cloudwatch.GraphWidget({ title: 'Lambda duration p99', width: 12, left: fns.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })) }),
      new cloudwatch.GraphWidget({
        title: 'Campaign queues',
        width: 12,
        left: [this.plannerQueue.metricApproximateNumberOfMessagesVisible(), this.sendQueue.metricApproximateNumberOfMessagesVisible()],
        right: [this.plannerQueue.metricApproximateAgeOfOldestMessage(), this.sendQueue.metricApproximateAgeOfOldestMessage()],
      }),
      new cloudwatch.GraphWidget({
        title: 'SES',
        width: 12,
        left: [sesMetric('Send'), sesMetric('Delivery'), sesMetric('Bounce'), sesMetric('Complaint'), sesMetric('Reject')],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarmList }),
    );
    return dashboard;
  }

  /**
   * The `grant*()` calls produce resource wildcards that are the narrowest IAM can express
   * (a table's indexes, a log group's streams, a key's data-key variants). Each is acknowledged
   * per role with the reason, instead of a blanket suppression.
   */
  private acknowledgeGrantWildcards(): void {
    const stack = Stack.of(this);
    for (const [name, fn] of Object.entries(this.functions)) {
      const policy = fn.role?.node.tryFindChild('DefaultPolicy');
      if (!(policy instanceof iam.Policy)) continue;
      const statements = (stack.resolve(policy.document.toJSON()) as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
      const actions = new Set(statements.flatMap((statement) => ([] as string[]).concat(statement.Action)));
      const resources = JSON.stringify(statements.map((statement) => statement.Resource));
      if (resources.includes('/index/*')) {
        acknowledge(policy, `AwsSolutions-IAM5[Resource::<${STATEFUL_LOGICAL_IDS.table}.Arn>/index/*]`,
          `${name} reads or writes the ledger table, whose GSIs (audience, evidence-by-notice) IAM can only name as <table>/index/*.`);
      }
      if (actions.has('kms:GenerateDataKey*')) {
        acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          `${name} writes KMS-encrypted ledger items; grant*() allows the GenerateDataKey variants DynamoDB requests, on the data key ARN only.`);
      }
      if (actions.has('kms:ReEncrypt*')) {
        acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
          `${name} writes KMS-encrypted ledger items; grant*() allows the ReEncrypt variants, on the data key ARN only.`);
      }
      if (resources.includes('"*"')) {
        acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]',
          `${name}: X-Ray PutTraceSegments/PutTelemetryRecords (tracing on) support no resource-level permissions.`);
      }
    }
  }
}
