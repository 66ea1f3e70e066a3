/**
 * The platform's Lambdas, built from `functions/manifest.ts`: one `NodejsFunction` per row with
 * its own log group and role, exactly the environment variables its row lists, one `grant*()`
 * per grant, and its queue or schedule trigger (HTTP routes are added in `http-apis.ts`).
 */
import path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentVariable } from '../functions/environment-variables.ts';
import { SERVING_DIR_NAME } from '../functions/content/serving-files.ts';
import { LAMBDA_NAMES, lambdaSpec, type LambdaGrant, type LambdaName, type LambdaSpec, type LedgerAction } from '../functions/manifest.ts';
import { STATEFUL_LOGICAL_IDS, pascal } from './construct-ids.ts';
import type { PlatformData } from './data.ts';
import type { ResolvedPlatformProps } from './disclosure-platform-props.ts';
import type { PlatformMessaging } from './messaging.ts';
import { acknowledge } from './nag.ts';
import { type SenderSizing, senderSizing } from './sender-sizing.ts';
import { noticesStackBundlePath, REQUIRE_BANNER, tracerBundlePath } from './tracer-bundle.ts';
import { NOTICES_STACK_FILE } from '../functions/notices/stack-file.ts';
import { TRACER_BUNDLE_FILE } from '../functions/tracing.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
/** The notices function's content files (built by `npm run cli -- build`), copied beside its bundle as `serving/`. */
const CONTENT_FILES_DIR = path.join('.build', SERVING_DIR_NAME);


/** What the functions are wired to. */
export interface FunctionResources {
  readonly config: ResolvedPlatformProps;
  readonly data: PlatformData;
  readonly messaging: PlatformMessaging;
  /** Base URL of the links in emails (CloudFront or the custom domain in front of it, never the origin API). */
  readonly publicBaseUrl: string;
  /** `ORIGIN_VERIFY_VALUES`: the origin-verify secret's JSON, a dynamic reference (lib/edge/origin-secret.ts). */
  readonly originVerifyValues: string;
}

/** The value `lib/` gives each environment variable a manifest row may list. */
const environmentValues = ({ config, data, messaging, publicBaseUrl, originVerifyValues }: FunctionResources): Record<EnvironmentVariable, string> => ({
  TABLE_NAME: data.table.tableName,
  PLANNER_QUEUE_URL: messaging.queues.planner.queueUrl,
  SEND_QUEUE_URL: messaging.queues.send.queueUrl,
  PUBLIC_BASE_URL: publicBaseUrl,
  TOKEN_SECRET_ARN: data.tokenSecret.secretArn,
  SENDER_ADDRESS: config.senderAddress,
  SENDER_IDENTITY: config.senderIdentity,
  CONFIGURATION_SET: messaging.configurationSet.configurationSetName,
  SEND_QUOTA_PER_SECOND: String(config.sendQuotaPerSecond),
  INFORMATIONAL_EMAILS: String(config.informationalEmails),
  EVENT_BUS_NAME: messaging.choiceEventBus.eventBusName,
  REMINDER_DAYS: String(config.reminderDays),
  CHOICE_CHANGE_LIMIT: String(config.choiceChangeLimit),
  MIN_ANSWER_DAYS: String(config.minAnswerDays),
  ORIGIN_VERIFY_VALUES: originVerifyValues,
  AUTO_PAUSE_BOUNCE_RATIO: String(config.autoPause.bounceRatio),
  AUTO_PAUSE_COMPLAINT_RATIO: String(config.autoPause.complaintRatio),
  AUTO_PAUSE_MIN_SENT: String(config.autoPause.minSent),
});

/**
 * Whether a function serves routes on the public API (behind CloudFront): its public routes, and
 * its account and admin routes when the JWT authoriser publishes them there. Only those get the
 * origin-verify values; a function reached through the IAM-authorised service API alone needs none.
 */
export const servesPublicApi = (spec: LambdaSpec, config: Pick<ResolvedPlatformProps, 'jwt'>): boolean =>
  spec.trigger.kind === 'http' && (config.jwt !== undefined || spec.trigger.routes.some((route) => route.auth === 'public'));

/** `ses:SendBulkEmail` (the only SES call the sender makes) from the sender address only, through this configuration set only. */
const sesSendStatement = (scope: Construct, { config, messaging }: FunctionResources): iam.PolicyStatement => {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    actions: ['ses:SendBulkEmail'],
    resources: [
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: config.senderIdentity }),
      stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: messaging.configurationSet.configurationSetName }),
    ],
    conditions: { StringEquals: { 'ses:FromAddress': config.senderAddress } },
  });
};

/** SES readiness reads: `GetAccount` (no resource-level permission exists) and `GetEmailIdentity` of the sender identity only. */
const sesReadStatements = (scope: Construct, { config }: FunctionResources): iam.PolicyStatement[] => [
  new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }),
  new iam.PolicyStatement({
    actions: ['ses:GetEmailIdentity'],
    resources: [Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: config.senderIdentity })],
  }),
];

/** Writing actions: the function encrypts ledger items with the data key, not only decrypts them. */
const LEDGER_WRITES: ReadonlySet<LedgerAction> = new Set(['PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem']);

/**
 * The manifest row's ledger actions, exactly (never `grantReadData`/`grantReadWriteData`, which add
 * Scan, ConditionCheckItem, DescribeTable and the stream actions), with the data key beside them.
 */
const grantLedger = (fn: NodejsFunction, actions: readonly LedgerAction[], { table, dataKey }: PlatformData): void => {
  if (actions.length === 0) return;
  table.grant(fn, ...actions.map((action) => `dynamodb:${action}`));
  if (actions.some((action) => LEDGER_WRITES.has(action))) dataKey.grantEncryptDecrypt(fn);
  else dataKey.grantDecrypt(fn);
};

/**
 * Each manifest grant as exactly the actions the code calls (`npm run test:artifacts` compares
 * them with the recorded calls): `grantSendMessages` would add GetQueueAttributes/GetQueueUrl and
 * the secret's `grantRead` DescribeSecret, which no function calls.
 */
const grant = (scope: Construct, fn: NodejsFunction, need: LambdaGrant, resources: FunctionResources): void => {
  const { tokenSecret, dataKey } = resources.data;
  const { queues, choiceEventBus } = resources.messaging;
  switch (need) {
    case 'planner-queue:send': queues.planner.grant(fn, 'sqs:SendMessage'); return;
    case 'send-queue:send': queues.send.grant(fn, 'sqs:SendMessage'); return;
    case 'token-secret:read':
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [tokenSecret.secretArn] }));
      // The secret is encrypted with the data key: Secrets Manager decrypts it on the caller's behalf.
      dataKey.grantDecrypt(new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(scope).region}.amazonaws.com`, fn.grantPrincipal));
      return;
    case 'ses:send': fn.addToRolePolicy(sesSendStatement(scope, resources)); return;
    case 'ses:read-account': sesReadStatements(scope, resources).forEach((statement) => fn.addToRolePolicy(statement)); return;
    case 'choice-bus:put': choiceEventBus.grantPutEventsTo(fn); return;
  }
};

const createFunction = (scope: Construct, name: LambdaName, spec: LambdaSpec, resources: FunctionResources, sender: SenderSizing): NodejsFunction => {
  const { config } = resources;
  const id = pascal(name);
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: config.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // An explicit role: the managed AWSLambdaBasicExecutionRole would allow writing to any log group.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Disclosure ${name} function`,
  });
  logGroup.grantWrite(role);
  const values = environmentValues(resources);
  const variables = Object.fromEntries(spec.environment
    .filter((variable) => variable !== 'ORIGIN_VERIFY_VALUES' || servesPublicApi(spec, config))
    .map((variable) => [variable, values[variable]]));
  // POWERTOOLS_TRACE_ENABLED: functions/tracing.ts captures the SDK clients (and loads the tracer) only when it is true.
  const environment: Record<string, string> = spec.powertools
    ? {
        POWERTOOLS_SERVICE_NAME: `disclosure-${name}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_TRACE_ENABLED: String(config.tracing),
        ...variables,
      }
    : variables;
  // EventBridge invokes a scheduled function asynchronously: failed runs go to the events DLQ.
  const asynchronous = spec.trigger.kind === 'schedule';
  return new NodejsFunction(scope, `${id}Function`, {
    entry: path.join(PROJECT_ROOT, spec.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: spec.memoryMb,
    timeout: Duration.seconds(spec.sizedBySendQuota ? sender.timeoutSeconds : spec.timeoutSeconds),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    reservedConcurrentExecutions: spec.sizedBySendQuota ? sender.concurrency : undefined,
    environment,
    description: `Disclosure ${name}`,
    ...(asynchronous ? { onFailure: new SqsDestination(resources.messaging.eventsDeadLetterQueue), retryAttempts: 2 } : {}),
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
      banner: REQUIRE_BANNER,
      forceDockerBundling: false,
      // The notices function reads its content from files beside the bundle, not from its code, and
      // its request path from its own file (imported on the first memo miss); the others carry the
      // tracer beside theirs, imported only with tracing on (lib/tracer-bundle.ts).
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir: string, outputDir: string) => [
          ...(spec.servesContentFiles
            ? [
                `cp -R "${path.join(inputDir, CONTENT_FILES_DIR)}" "${path.join(outputDir, SERVING_DIR_NAME)}"`,
                `cp "${noticesStackBundlePath()}" "${path.join(outputDir, NOTICES_STACK_FILE)}"`,
              ]
            : []),
          ...(spec.powertools ? [`cp "${tracerBundlePath()}" "${path.join(outputDir, TRACER_BUNDLE_FILE)}"`] : []),
        ],
      },
    },
  });
};

/** Connects a function to its queue or schedule; HTTP routes are published with the APIs. */
const addTrigger = (scope: Construct, fn: NodejsFunction, spec: LambdaSpec, resources: FunctionResources, sender: SenderSizing): void => {
  const trigger = spec.trigger;
  if (trigger.kind === 'queue') {
    fn.addEventSource(new SqsEventSource(resources.messaging.queues[trigger.queue], {
      batchSize: spec.sizedBySendQuota ? sender.batchSize : trigger.batchSize,
      ...(trigger.reportBatchItemFailures ? { reportBatchItemFailures: true } : {}),
      ...(trigger.maxBatchingWindowSeconds ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) } : {}),
      ...(spec.sizedBySendQuota ? { maxConcurrency: sender.concurrency } : {}),
    }));
  } else if (trigger.kind === 'schedule') {
    new events.Rule(scope, trigger.ruleId, {
      description: trigger.description,
      schedule: events.Schedule.rate(Duration.hours(trigger.rateHours)),
      targets: [new targets.LambdaFunction(fn, { deadLetterQueue: resources.messaging.eventsDeadLetterQueue, retryAttempts: 2 })],
    });
  }
};

/** Creates every Lambda of the manifest in `scope` (the `DisclosurePlatform`), granted and triggered. */
export const buildFunctions = (scope: Construct, resources: FunctionResources): Readonly<Record<LambdaName, NodejsFunction>> => {
  // The sender's timeout, batch size and concurrency follow the send quota (lib/sender-sizing.ts).
  const sender = senderSizing(resources.config.sendQuotaPerSecond);
  const functions = {} as Record<LambdaName, NodejsFunction>;
  for (const name of LAMBDA_NAMES) {
    const spec = lambdaSpec(name);
    const fn = createFunction(scope, name, spec, resources, sender);
    grantLedger(fn, spec.ledger, resources.data);
    for (const need of spec.grants) grant(scope, fn, need, resources);
    addTrigger(scope, fn, spec, resources, sender);
    functions[name] = fn;
  }
  return functions;
};

/**
 * The `grant*()` calls produce resource wildcards that are the narrowest IAM can express
 * (a table's indexes, a log group's streams, a key's data-key variants). Each is acknowledged
 * per role with the reason, instead of a blanket suppression. Run after every grant.
 */
export const acknowledgeGrantWildcards = (scope: Construct, functions: Readonly<Record<LambdaName, NodejsFunction>>): void => {
  const stack = Stack.of(scope);
  for (const [name, fn] of Object.entries(functions)) {
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
        `${name}: X-Ray PutTraceSegments/PutTelemetryRecords (tracing on) and ses:GetAccount (SES readiness) support no resource-level permissions.`);
    }
  }
};
