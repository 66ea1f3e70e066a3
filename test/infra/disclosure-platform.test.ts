/**
 * The synthesised platform: resource properties, least privilege per function, pinned logical
 * ids, routing and authorisers, the edge, alarms, cdk-nag (asserted) and synth determinism.
 * One reference synth is shared by the whole file; two more variants reuse its bundles.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { senderSizing } from '../../lib/sender-sizing.ts';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerTableDefinition } from '../../functions/ledger/table-definition.ts';
import { LAMBDA_NAMES, lambdaSpec } from '../../functions/manifest.ts';
import { routes } from '../../functions/routes.ts';
import { STATEFUL_LOGICAL_IDS, type PlatformFunctionName } from '../../lib/disclosure-platform.ts';
import { regionFunctionCode } from '../../lib/edge/region-function.ts';
import { bundleOf, compiledContent, referenceProps, synthPlatform, type SynthResult } from './platform-synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: Record<string, any> }>;

let reference: SynthResult;
let resources: Resources;

beforeAll(() => {
  reference = synthPlatform(referenceProps, { nag: true });
  resources = reference.template.toJSON()['Resources'] as Resources;
}, 120_000);

const functionLogicalId = (name: PlatformFunctionName): string =>
  reference.stack.getLogicalId(reference.stack.platform.functions[name].node.defaultChild as CfnFunction);

const ofType = (type: string): [string, Resources[string]][] => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** The statements of the inline policy attached to a function's role. */
const statementsOf = (name: PlatformFunctionName): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] => {
  const roleRef = resources[functionLogicalId(name)]!.Properties!['Role'] as { 'Fn::GetAtt': [string, string] };
  const roleId = roleRef['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!['Roles'] as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties!['PolicyDocument'].Statement);
};

const actionsOf = (name: PlatformFunctionName): Set<string> =>
  new Set(statementsOf(name).flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])));

const resourceMentions = (statement: { Resource: unknown }, logicalId: string): boolean => JSON.stringify(statement.Resource).includes(`"${logicalId}"`);

const ALL_FUNCTIONS: PlatformFunctionName[] = [
  'notices', 'accounts', 'campaigns-api', 'choices', 'campaign-planner', 'campaign-sender', 'ses-events', 'campaign-scheduler',
];

describe('Construct: DisclosurePlatform', () => {
  describe('Lambdas', () => {
    it('has one function per row of the design doc, Node.js 24 on ARM64, each with its own log group', () => {
      const functions = ofType('AWS::Lambda::Function');
      expect(functions).toHaveLength(ALL_FUNCTIONS.length);
      for (const name of ALL_FUNCTIONS) {
        const properties = resources[functionLogicalId(name)]!.Properties!;
        expect(properties['Runtime'], name).toBe('nodejs24.x');
        expect(properties['Architectures'], name).toEqual(['arm64']);
        expect(properties['Handler'], name).toBe('index.handler');
        const logGroupId = properties['LoggingConfig'].LogGroup.Ref as string;
        expect(resources[logGroupId]!.Type).toBe('AWS::Logs::LogGroup');
        expect(resources[logGroupId]!.Properties!['RetentionInDays']).toBe(90);
      }
    });

    it('passes each function exactly the environment the design doc lists', () => {
      const expected: Record<PlatformFunctionName, string[]> = {
        // ORIGIN_VERIFY_VALUES: every function behind the public API (with a JWT issuer, accounts and campaigns-api too).
        notices: ['ORIGIN_VERIFY_VALUES'],
        accounts: ['TABLE_NAME', 'ORIGIN_VERIFY_VALUES'],
        'campaigns-api': ['TABLE_NAME', 'PLANNER_QUEUE_URL', 'SEND_QUEUE_URL', 'PUBLIC_BASE_URL', 'INFORMATIONAL_EMAILS', 'SENDER_IDENTITY', 'SEND_QUOTA_PER_SECOND', 'ORIGIN_VERIFY_VALUES'],
        choices: ['TABLE_NAME', 'TOKEN_SECRET_ARN', 'EVENT_BUS_NAME', 'PUBLIC_BASE_URL', 'CHOICE_CHANGE_LIMIT', 'ORIGIN_VERIFY_VALUES'],
        'campaign-planner': ['TABLE_NAME', 'SEND_QUEUE_URL', 'PLANNER_QUEUE_URL'],
        'campaign-sender': ['TABLE_NAME', 'CONFIGURATION_SET', 'SENDER_ADDRESS', 'SEND_QUOTA_PER_SECOND', 'TOKEN_SECRET_ARN', 'PUBLIC_BASE_URL'],
        'ses-events': ['TABLE_NAME'],
        'campaign-scheduler': ['TABLE_NAME', 'SEND_QUEUE_URL', 'EVENT_BUS_NAME', 'REMINDER_DAYS', 'MIN_ANSWER_DAYS', 'SENDER_IDENTITY', 'SEND_QUOTA_PER_SECOND'],
      };
      for (const name of ALL_FUNCTIONS) {
        const variables = Object.keys(resources[functionLogicalId(name)]!.Properties!['Environment']?.Variables ?? {})
          .filter((key) => !key.startsWith('POWERTOOLS_'));
        expect(variables.sort(), name).toEqual([...expected[name]].sort());
      }
      const sender = resources[functionLogicalId('campaign-sender')]!.Properties!['Environment'].Variables;
      expect(sender.SEND_QUOTA_PER_SECOND).toBe('200');
      expect(sender.SENDER_ADDRESS).toBe('privacy@notices.example.org');
      expect(sender.POWERTOOLS_SERVICE_NAME).toBe('disclosure-campaign-sender');
      expect(resources[functionLogicalId('campaign-scheduler')]!.Properties!['Environment'].Variables).toMatchObject({ REMINDER_DAYS: '5', MIN_ANSWER_DAYS: '21' });
      expect(resources[functionLogicalId('choices')]!.Properties!['Environment'].Variables.CHOICE_CHANGE_LIMIT).toBe('4');
    });

    it('builds one function per manifest row, with the row’s environment, memory and timeout', () => {
      expect([...LAMBDA_NAMES].sort()).toEqual([...ALL_FUNCTIONS].sort());
      for (const name of LAMBDA_NAMES) {
        const spec = lambdaSpec(name);
        const properties = resources[functionLogicalId(name)]!.Properties!;
        const variables = Object.keys(properties['Environment']?.Variables ?? {});
        expect(variables.filter((key) => !key.startsWith('POWERTOOLS_')).sort(), name).toEqual([...spec.environment].sort());
        expect(variables.some((key) => key.startsWith('POWERTOOLS_')), name).toBe(spec.powertools);
        expect(properties['MemorySize'], name).toBe(spec.memoryMb);
        expect(properties['Timeout'], name).toBe('sizedBySendQuota' in spec && spec.sizedBySendQuota ? senderSizing(200).timeoutSeconds : spec.timeoutSeconds);
      }
    });

    it('sizes the sender from the send quota: reserved and SQS maximum concurrency, batch size, timeout', () => {
      // 200 recipients/s at 50 per SendBulkEmail call: 4 calls in flight, plus one spare; 10 messages fit in 60 s.
      expect(senderSizing(200)).toEqual({ concurrency: 5, batchSize: 10, timeoutSeconds: 60 });
      expect(resources[functionLogicalId('campaign-sender')]!.Properties!['ReservedConcurrentExecutions']).toBe(5);
      expect(resources[functionLogicalId('campaign-sender')]!.Properties!['Timeout']).toBe(60);
      const mapping = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties!['FunctionName'].Ref === functionLogicalId('campaign-sender'));
      expect(mapping?.[1].Properties!['ScalingConfig']).toEqual({ MaximumConcurrency: 5 });
      expect(mapping?.[1].Properties!['BatchSize']).toBe(10);
    });

    it('reports partial batch failures on every SQS event source mapping', () => {
      const mappings = ofType('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(3);
      for (const [id, mapping] of mappings) expect(mapping.Properties!['FunctionResponseTypes'], id).toEqual(['ReportBatchItemFailures']);
    });

    it('ships the notice function without any AWS SDK, its content as files beside the code (serving/), not in it', () => {
      const bundle = bundleOf(reference, functionLogicalId('notices'));
      expect(bundle).not.toMatch(/@aws-sdk|aws-sdk\/client/);
      expect(bundle).not.toContain(compiledContent.sourceHash);
      expect(bundle).not.toContain('sourceMappingURL');
      const resource = reference.template.toJSON()['Resources'][functionLogicalId('notices')] as { Metadata: Record<string, string> };
      const served = path.join(reference.assembly.directory, resource.Metadata['aws:asset:path']!, 'serving');
      const index = JSON.parse(readFileSync(path.join(served, 'index.json'), 'utf8')) as { sourceHash: string; noticeIds: string[] };
      expect(index.sourceHash).toBe(compiledContent.sourceHash);
      expect(existsSync(path.join(served, 'variants', 'privacy', '1', 'jp', 'ja.json'))).toBe(true);
    });

    it('ships ESM bundles with the AWS SDK left external', () => {
      for (const name of ALL_FUNCTIONS) {
        const bundle = bundleOf(reference, functionLogicalId(name));
        expect(bundle, name).toMatch(/^import\{createRequire as __createRequire\}from'node:module'/);
        expect(bundle, name).not.toMatch(/\bmodule\.exports\s*=\s*__toCommonJS/);
        expect(bundle, name).not.toContain('sourceMappingURL');
      }
    });
  });

  describe('least privilege', () => {
    it('gives the notice function nothing but its own log stream', () => {
      const statements = statementsOf('notices');
      expect([...actionsOf('notices')].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(statements.every((statement) => !resourceMentions(statement, STATEFUL_LOGICAL_IDS.table))).toBe(true);
    });

    it.each([
      ['accounts', { sqsSend: [], secret: false, ses: false, events: false }],
      // Starts campaigns and previews emails; never signs a token, so no secret.
      ['campaigns-api', { sqsSend: [STATEFUL_LOGICAL_IDS.plannerQueue, STATEFUL_LOGICAL_IDS.sendQueue], secret: false, ses: false, events: false }],
      ['campaign-planner', { sqsSend: [STATEFUL_LOGICAL_IDS.sendQueue, STATEFUL_LOGICAL_IDS.plannerQueue], secret: false, ses: false, events: false }],
      ['campaign-sender', { sqsSend: [], secret: true, ses: true, events: false }],
      ['choices', { sqsSend: [], secret: true, ses: false, events: true }],
      ['ses-events', { sqsSend: [], secret: false, ses: false, events: false }],
      ['campaign-scheduler', { sqsSend: [STATEFUL_LOGICAL_IDS.sendQueue, 'EventsDeadLetterQueue'], secret: false, ses: false, events: true }],
    ] as const)('%s gets exactly its grants', (name, expected) => {
      const actions = actionsOf(name);
      const statements = statementsOf(name);
      // Exactly the manifest row's ledger actions (the ones `npm run test:artifacts` sees the bundle call), never Scan, DescribeTable or stream actions.
      expect([...actions].filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(lambdaSpec(name).ledger.map((action) => `dynamodb:${action}`).sort());
      // No describe-only extras of the L2 grants (grantSendMessages, the secret's grantRead), no single-email SES call.
      for (const action of ['sqs:GetQueueUrl', 'secretsmanager:DescribeSecret', 'ses:SendEmail']) {
        if (action === 'sqs:GetQueueUrl' && lambdaSpec(name).trigger.kind !== 'http') continue; // the event source mapping's or destination's own
        expect(actions.has(action), `${name}: ${action}`).toBe(false);
      }
      const sendResources = JSON.stringify(statements
        .filter((statement) => ([] as string[]).concat(statement.Action).includes('sqs:SendMessage'))
        .map((statement) => statement.Resource));
      const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
      const sendTargets = queueIds.filter((id) => sendResources.includes(`"${id}"`)).map((id) => (id.startsWith('PlatformEventsDeadLetterQueue') ? 'EventsDeadLetterQueue' : id));
      expect(sendTargets.sort()).toEqual([...expected.sqsSend].sort());
      expect(actions.has('secretsmanager:GetSecretValue')).toBe(expected.secret);
      expect(actions.has('ses:SendBulkEmail')).toBe(expected.ses);
      expect(actions.has('events:PutEvents')).toBe(expected.events);
      for (const action of actions) expect(action, `${name}: ${action}`).not.toMatch(/^[a-z0-9-]+:\*$|^\*$/);
    });

    it('lets the sender send only from the sender address, through the platform identity and configuration set', () => {
      const ses = statementsOf('campaign-sender').find((statement) => ([] as string[]).concat(statement.Action).includes('ses:SendBulkEmail'))!;
      expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'privacy@notices.example.org' } });
      const scoped = JSON.stringify(ses.Resource);
      expect(scoped).toContain(':identity/notices.example.org');
      expect(scoped).toContain(':configuration-set/');
      expect(scoped).not.toContain('"*"');
    });
  });

  describe('stateful resources', () => {
    it('pins the logical ids of the table, key, queues, secret and bus', () => {
      const expectedTypes: Record<string, string> = {
        [STATEFUL_LOGICAL_IDS.table]: 'AWS::DynamoDB::Table',
        [STATEFUL_LOGICAL_IDS.dataKey]: 'AWS::KMS::Key',
        [STATEFUL_LOGICAL_IDS.plannerQueue]: 'AWS::SQS::Queue',
        [STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue]: 'AWS::SQS::Queue',
        [STATEFUL_LOGICAL_IDS.sendQueue]: 'AWS::SQS::Queue',
        [STATEFUL_LOGICAL_IDS.sendDeadLetterQueue]: 'AWS::SQS::Queue',
        [STATEFUL_LOGICAL_IDS.tokenSecret]: 'AWS::SecretsManager::Secret',
        [STATEFUL_LOGICAL_IDS.choiceEventBus]: 'AWS::Events::EventBus',
      };
      // Literal ids on purpose: changing one replaces (and, for the table, orphans) production data.
      expect(Object.keys(expectedTypes).sort()).toEqual([
        'ChoiceEventBus', 'ChoiceTokenSecret', 'DataKey', 'LedgerTable', 'PlannerDeadLetterQueue', 'PlannerQueue', 'SendDeadLetterQueue', 'SendQueue',
      ]);
      for (const [logicalId, type] of Object.entries(expectedTypes)) expect(resources[logicalId]?.Type, logicalId).toBe(type);
      // Consumers subscribe to the bus by name: it must not follow the construct path either.
      expect(resources[STATEFUL_LOGICAL_IDS.choiceEventBus]!.Properties!['Name']).toBe('Disclosure-choices');
    });

    it('keeps the ledger: on-demand, PITR, deletion protection, retained, customer-managed KMS', () => {
      const table = resources[STATEFUL_LOGICAL_IDS.table]!;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [STATEFUL_LOGICAL_IDS.dataKey, 'Arn'] } },
        TimeToLiveSpecification: { AttributeName: ledgerTableDefinition.timeToLiveAttribute, Enabled: true },
      });
      const key = resources[STATEFUL_LOGICAL_IDS.dataKey]!;
      expect(key.Properties!['EnableKeyRotation']).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    });

    it('mirrors functions/ledger/table-definition.ts: keys, indexes, projections', () => {
      const properties = resources[STATEFUL_LOGICAL_IDS.table]!.Properties!;
      expect(properties['KeySchema']).toEqual([
        { AttributeName: ledgerTableDefinition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: ledgerTableDefinition.sortKey.name, KeyType: 'RANGE' },
      ]);
      const indexes = properties['GlobalSecondaryIndexes'] as { IndexName: string; KeySchema: unknown; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
      expect(indexes.map((index) => index.IndexName)).toEqual(ledgerTableDefinition.globalSecondaryIndexes.map((index) => index.indexName));
      for (const definition of ledgerTableDefinition.globalSecondaryIndexes) {
        const index = indexes.find((candidate) => candidate.IndexName === definition.indexName)!;
        expect(index.KeySchema).toEqual([
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ]);
        expect(index.Projection.ProjectionType).toBe(definition.projection.type);
        if (definition.projection.type === 'INCLUDE') expect(index.Projection.NonKeyAttributes).toEqual([...definition.projection.nonKeyAttributes]);
      }
    });

    it('encrypts the choice-token secret with the data key and generates it', () => {
      const secret = resources[STATEFUL_LOGICAL_IDS.tokenSecret]!;
      expect(secret.Properties!['KmsKeyId']).toEqual({ 'Fn::GetAtt': [STATEFUL_LOGICAL_IDS.dataKey, 'Arn'] });
      expect(secret.Properties!['GenerateSecretString']).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
      expect(secret.DeletionPolicy).toBe('Retain');
    });

    it('makes every queue encrypted and SSL-only, and gives the work queues a DLQ', () => {
      const queues = ofType('AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThanOrEqual(5);
      for (const [id, queue] of queues) {
        expect(queue.Properties!['SqsManagedSseEnabled'] ?? queue.Properties!['KmsMasterKeyId'], id).toBeTruthy();
        const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties!['Queues']).includes(`"${id}"`));
        expect(policy, `${id} has a queue policy`).toBeDefined();
        expect(policy![1].Properties!['PolicyDocument'].Statement).toEqual(expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]));
      }
      for (const [queue, dlq] of [[STATEFUL_LOGICAL_IDS.plannerQueue, STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue], [STATEFUL_LOGICAL_IDS.sendQueue, STATEFUL_LOGICAL_IDS.sendDeadLetterQueue]] as const) {
        expect(resources[queue]!.Properties!['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 });
      }
      // Visibility at least six times the consumer's timeout, so a slow batch is not delivered twice.
      expect(resources[STATEFUL_LOGICAL_IDS.sendQueue]!.Properties!['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * resources[functionLogicalId('campaign-sender')]!.Properties!['Timeout']);
      expect(resources[STATEFUL_LOGICAL_IDS.plannerQueue]!.Properties!['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * resources[functionLogicalId('campaign-planner')]!.Properties!['Timeout']);
    });
  });

  describe('SES and events', () => {
    it('publishes one event per email (delivery, delay, bounce, complaint, reject, rendering failure; no send) to EventBridge', () => {
      reference.template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
      reference.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: Match.arrayEquals(['delivery', 'deliveryDelay', 'bounce', 'complaint', 'reject', 'renderingFailure']),
          EventBridgeDestination: { EventBusArn: Match.anyValue() },
        },
      });
      reference.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'notices.example.org' });
    });

    it('routes this configuration set’s SES events to ses-events, and runs the scheduler hourly', () => {
      const rules = ofType('AWS::Events::Rule');
      const sesRule = rules.find(([, rule]) => JSON.stringify(rule.Properties!['EventPattern'] ?? {}).includes('aws.ses'))!;
      expect(JSON.stringify(sesRule[1].Properties!['EventPattern'])).toContain('ses:configuration-set');
      // Through an encrypted queue, so the function takes events in batches.
      expect(JSON.stringify(sesRule[1].Properties!['Targets'])).toContain(STATEFUL_LOGICAL_IDS.sesEventsQueue);
      reference.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionLogicalId('ses-events') },
        BatchSize: 100,
        EventSourceArn: { 'Fn::GetAtt': [STATEFUL_LOGICAL_IDS.sesEventsQueue, 'Arn'] },
      });
      const schedule = rules.find(([, rule]) => rule.Properties!['ScheduleExpression'] === 'rate(1 hour)')!;
      expect(JSON.stringify(schedule[1].Properties!['Targets'])).toContain(functionLogicalId('campaign-scheduler'));
      for (const [, rule] of [sesRule, schedule]) {
        expect(rule.Properties!['Targets'][0].DeadLetterConfig, 'target DLQ').toBeDefined();
      }
    });
  });

  describe('HTTP APIs', () => {
    const apiIds = (): { publicApi: string; serviceApi: string } => ({
      publicApi: reference.stack.getLogicalId(reference.stack.platform.publicApi.node.defaultChild as never),
      serviceApi: reference.stack.getLogicalId(reference.stack.platform.serviceApi.node.defaultChild as never),
    });
    const routesOf = (apiId: string): { key: string; auth: string; scopes?: string[] }[] =>
      ofType('AWS::ApiGatewayV2::Route')
        .filter(([, route]) => route.Properties!['ApiId'].Ref === apiId)
        .map(([, route]) => ({ key: route.Properties!['RouteKey'], auth: route.Properties!['AuthorizationType'] ?? 'NONE', scopes: route.Properties!['AuthorizationScopes'] }));

    it('publishes every route of functions/routes.ts: public ones open, account and admin ones behind JWT', () => {
      const published = routesOf(apiIds().publicApi);
      expect(published.map((route) => route.key).sort()).toEqual([...routes.map((route) => `${route.method} ${route.path}`), '$default'].sort());
      // The fallback answers problem+json 404/405 from the notice function, unauthenticated.
      const fallback = ofType('AWS::ApiGatewayV2::Route').find(([, route]) => route.Properties!['RouteKey'] === '$default')!;
      expect(fallback[1].Properties!['AuthorizationType'] ?? 'NONE').toBe('NONE');
      const integrationId = (fallback[1].Properties!['Target']['Fn::Join'][1][1] as { Ref: string }).Ref;
      expect(JSON.stringify(resources[integrationId]!.Properties!['IntegrationUri'])).toContain(functionLogicalId('notices'));
      for (const route of routes) {
        const found = published.find((candidate) => candidate.key === `${route.method} ${route.path}`)!;
        expect(found.auth, found.key).toBe(route.auth === 'public' ? 'NONE' : 'JWT');
        if (route.auth === 'admin') expect(found.scopes, found.key).toEqual(['disclosure/admin']);
      }
      reference.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: { Issuer: 'https://issuer.example.org/', Audience: ['disclosure'] },
      });
    });

    it('puts the account and admin routes behind IAM on the service API, and nothing public there', () => {
      const published = routesOf(apiIds().serviceApi);
      const authenticated = routes.filter((route) => route.auth !== 'public');
      expect(published.map((route) => route.key).sort()).toEqual(authenticated.map((route) => `${route.method} ${route.path}`).sort());
      for (const route of published) expect(route.auth, route.key).toBe('AWS_IAM');
    });

    it('throttles both stages and writes access logs without the caller’s IP', () => {
      const stages = ofType('AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(2);
      for (const [id, stage] of stages) {
        expect(stage.Properties!['StageName'], id).toBe('$default');
        expect(stage.Properties!['DefaultRouteSettings']).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
        const format = stage.Properties!['AccessLogSettings'].Format as string;
        expect(format).toContain('$context.requestId');
        expect(format).not.toMatch(/sourceIp|userAgent|identity\./);
        const destination = JSON.stringify(stage.Properties!['AccessLogSettings'].DestinationArn);
        expect(resources[JSON.parse(destination)['Fn::GetAtt'][0]]!.Type).toBe('AWS::Logs::LogGroup');
      }
    });
  });

  describe('CloudFront', () => {
    const distributionConfig = (): Record<string, any> => ofType('AWS::CloudFront::Distribution')[0]![1].Properties!['DistributionConfig'];

    it('caches notices and the OpenAPI document by region and language through the generated function', () => {
      const behaviors = distributionConfig()['CacheBehaviors'] as Record<string, any>[];
      expect(behaviors.map((behavior) => behavior.PathPattern).sort()).toEqual(['/v1/notices*', '/v1/openapi.json']);
      const [functionId, fn] = ofType('AWS::CloudFront::Function')[0]!;
      expect(fn.Properties!['FunctionConfig'].Runtime).toBe('cloudfront-js-2.0');
      expect(fn.Properties!['FunctionCode']).toBe(regionFunctionCode(referenceProps.content));
      const [cachePolicyId, cachePolicy] = ofType('AWS::CloudFront::CachePolicy')[0]!;
      const keyConfig = cachePolicy.Properties!['CachePolicyConfig'].ParametersInCacheKeyAndForwardedToOrigin;
      expect(keyConfig.HeadersConfig.Headers.map((header: string) => header.toLowerCase()).sort()).toEqual(['accept', 'accept-language', 'x-notice-region']);
      expect(keyConfig.QueryStringsConfig.QueryStringBehavior).toBe('all');
      expect(keyConfig.CookiesConfig.CookieBehavior).toBe('none');
      for (const behavior of behaviors) {
        expect(behavior.CachePolicyId).toEqual({ Ref: cachePolicyId });
        expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
        expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      }
      const [, originRequestPolicy] = ofType('AWS::CloudFront::OriginRequestPolicy')[0]!;
      const forwarded = originRequestPolicy.Properties!['OriginRequestPolicyConfig'].HeadersConfig.Headers.map((header: string) => header.toLowerCase());
      expect(forwarded.sort()).toEqual(['cloudfront-viewer-country', 'cloudfront-viewer-country-region']);
    });

    it('adds nosniff and no-framing to every response, and a deny-all CSP where the origin sets none', () => {
      const [policyId, policy] = ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
      const security = policy.Properties!['ResponseHeadersPolicyConfig'].SecurityHeadersConfig;
      expect(security.ContentTypeOptions).toEqual({ Override: true });
      expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
      expect(security.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'", Override: false });
      const behaviors = [distributionConfig()['DefaultCacheBehavior'], ...(distributionConfig()['CacheBehaviors'] as Record<string, any>[])];
      for (const behavior of behaviors) expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    });

    it('never caches other paths and forwards every viewer header except Host', () => {
      const defaults = distributionConfig()['DefaultCacheBehavior'];
      expect(defaults.CachePolicyId).toBe(cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId);
      expect(defaults.OriginRequestPolicyId).toBe(cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
      expect(defaults.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'DELETE']));
      expect(distributionConfig()['Origins'][0].CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(distributionConfig()['Logging']).toBeDefined();
    });
  });

  describe('origin verification', () => {
    const originSecretId = (): string => ofType('AWS::SecretsManager::Secret')
      .find(([, secret]) => String(secret.Properties!['Description']).includes('x-origin-verify'))![0];
    /** A template value as text, `Fn::Join` joined and each `Ref` as its logical id: `{{resolve:secretsmanager:<id>:…}}`. */
    const dynamicReference = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(dynamicReference).join(join[0]);
      const ref = (value as { Ref?: string }).Ref;
      return ref === undefined ? JSON.stringify(value) : ref;
    };

    it('sends x-origin-verify from the generated secret on every origin request of the distribution', () => {
      const id = originSecretId();
      const secret = resources[id]!;
      expect(secret.Properties!['GenerateSecretString']).toMatchObject({ GenerateStringKey: 'current', SecretStringTemplate: '{}', PasswordLength: 48 });
      expect(secret.Properties!['KmsKeyId']).toEqual({ 'Fn::GetAtt': [STATEFUL_LOGICAL_IDS.dataKey, 'Arn'] });
      const origins = ofType('AWS::CloudFront::Distribution')[0]![1].Properties!['DistributionConfig'].Origins as { OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[];
      expect(origins).toHaveLength(1);
      const headers = origins[0]!.OriginCustomHeaders ?? [];
      expect(headers.map((header) => header.HeaderName)).toEqual(['x-origin-verify']);
      expect(dynamicReference(headers[0]!.HeaderValue)).toBe(`{{resolve:secretsmanager:${id}:SecretString:current::}}`);
    });

    it('gives the functions behind the public API the whole secret as ORIGIN_VERIFY_VALUES, and no Secrets Manager grant for it', () => {
      const id = originSecretId();
      for (const name of ALL_FUNCTIONS) {
        const value = resources[functionLogicalId(name)]!.Properties!['Environment']?.Variables?.['ORIGIN_VERIFY_VALUES'];
        const http = lambdaSpec(name).trigger.kind === 'http';
        if (http) expect(dynamicReference(value), name).toBe(`{{resolve:secretsmanager:${id}:SecretString:::}}`);
        else expect(value, name).toBeUndefined();
        // Resolved by CloudFormation at deploy time: no role may read it.
        expect(JSON.stringify(statementsOf(name)), name).not.toContain(`"${id}"`);
      }
      // Rotation pins the version the distribution and the functions resolve.
      const rotated = synthPlatform({ ...referenceProps, originVerifySecretVersion: 'a1b2c3d4-0000-4000-8000-0123456789ab' }).template.toJSON()['Resources'] as Resources;
      const notices = Object.values(rotated).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties!['Description'] === 'Disclosure notices')!;
      expect(dynamicReference(notices.Properties!['Environment'].Variables.ORIGIN_VERIFY_VALUES)).toBe(`{{resolve:secretsmanager:${id}:SecretString:::a1b2c3d4-0000-4000-8000-0123456789ab}}`);
      const distribution = Object.values(rotated).find((resource) => resource.Type === 'AWS::CloudFront::Distribution')!;
      expect(dynamicReference(distribution.Properties!['DistributionConfig'].Origins[0].OriginCustomHeaders[0].HeaderValue))
        .toBe(`{{resolve:secretsmanager:${id}:SecretString:current::a1b2c3d4-0000-4000-8000-0123456789ab}}`);
    }, 60_000);

    it('outputs no execute-api URL of the public API, only the service API’s and the secret ARN', () => {
      const outputs = reference.template.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
      const publicApiId = reference.stack.getLogicalId(reference.stack.platform.publicApi.node.defaultChild as CfnElement);
      const mentioning = Object.entries(outputs).filter(([, output]) => JSON.stringify(output.Value).includes(`"${publicApiId}"`)).map(([name]) => name);
      expect(mentioning).toEqual([]);
      expect(JSON.stringify(outputs['ServiceApiUrl']!.Value)).toContain(reference.stack.getLogicalId(reference.stack.platform.serviceApi.node.defaultChild as CfnElement));
      expect(outputs['OriginVerifySecretArn']!.Value).toEqual({ Ref: originSecretId() });
    });
  });

  describe('observability', () => {
    const alarms = (): Record<string, any>[] => ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);

    /** One row per alarm: its name, what it watches, its threshold and where it goes. */
    const alarmTable = (): { name: string; metric: string; threshold: string; actions: string }[] =>
      alarms().map((alarm) => ({
        name: alarm.AlarmName as string,
        metric: alarm.MetricName ?? (alarm.Metrics as { Expression?: string }[]).map((m) => m.Expression).filter(Boolean).join(' '),
        threshold: `${alarm.ComparisonOperator} ${alarm.Threshold} x${alarm.EvaluationPeriods}`,
        actions: JSON.stringify(alarm.AlarmActions),
      }));

    it('lists every alarm with its metric, threshold and action; each a stable name saying its severity', () => {
      const table = alarmTable();
      if (process.env['PRINT_ALARMS']) console.table(table);
      const names = table.map((row) => row.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^Disclosure-(page|ticket)-[A-Za-z]+$/);
      const all = alarms();
      expect(all.filter((alarm) => alarm.MetricName === 'Errors')).toHaveLength(ALL_FUNCTIONS.length);
      expect(all.filter((alarm) => alarm.MetricName === 'Throttles')).toHaveLength(ALL_FUNCTIONS.length);
      expect(all.filter((alarm) => alarm.MetricName === 'Duration')).toHaveLength(ALL_FUNCTIONS.length);
      expect(all.filter((alarm) => alarm.MetricName === '5xx' || alarm.MetricName === '5XXError')).toHaveLength(2);
      const depth = all.filter((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible');
      const dimensions = JSON.stringify(depth.map((alarm) => alarm.Dimensions));
      for (const dlq of [STATEFUL_LOGICAL_IDS.plannerDeadLetterQueue, STATEFUL_LOGICAL_IDS.sendDeadLetterQueue, STATEFUL_LOGICAL_IDS.sesEventsDeadLetterQueue, 'EventsDeadLetterQueue']) expect(dimensions).toContain(dlq);
      for (const alarm of depth) expect([alarm.Threshold, alarm.ComparisonOperator]).toEqual([0, 'GreaterThanThreshold']);
      // Age: the SES-events queue (minutes), then expiry warnings on 3 work queues and 4 dead-letter queues (7 days).
      const ages = all.filter((alarm) => alarm.MetricName === 'ApproximateAgeOfOldestMessage');
      expect(ages).toHaveLength(1 + 3 + 4);
      expect(ages.filter((alarm) => alarm.Threshold === 7 * 86_400)).toHaveLength(7);
      expect(all.map((alarm) => alarm.MetricName)).toEqual(expect.arrayContaining(['Reputation.BounceRate', 'Reputation.ComplaintRate', 'FailedInvocations', 'Invocations', 'Reject']));
      expect(names).toEqual(expect.arrayContaining([
        'Disclosure-page-PlannerQueueStalled', 'Disclosure-page-SendQueueStalled', 'Disclosure-page-SchedulerNotRunning',
        'Disclosure-page-LedgerTableThrottles', 'Disclosure-page-LedgerTableSystemErrors',
        'Disclosure-ticket-PublicApiClientErrorRate', 'Disclosure-ticket-ServiceApiClientErrorRate',
        'Disclosure-ticket-SchedulerRuleFailedInvocations', 'Disclosure-ticket-SesEventsRuleFailedInvocations',
      ]));
      // The stall alarm replaces the queue-age alarm of the planner and send queues.
      expect(names.filter((name) => /(Planner|Send)QueueAge$/.test(name))).toEqual([]);
    });

    it('sends page and ticket alarms to their own encrypted, SSL-only topic, with OK actions, both subscribed', () => {
      const topics = Object.fromEntries(ofType('AWS::SNS::Topic').map(([id, topic]) => [topic.Properties!['DisplayName'], [id, topic]] as const));
      const [pageId, pageTopic] = topics['Disclosure alarms (page)']!;
      const [ticketId] = topics['Disclosure alarms (ticket)']!;
      expect(pageTopic.Properties!['KmsMasterKeyId']).toBeDefined();
      for (const alarm of alarms()) {
        const expected = [{ Ref: (alarm.AlarmName as string).includes('-page-') ? pageId : ticketId }];
        expect(alarm.AlarmActions, alarm.AlarmName).toEqual(expected);
        expect(alarm.OKActions, alarm.AlarmName).toEqual(expected);
      }
      reference.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      expect(ofType('AWS::SNS::Subscription').map(([, sub]) => [sub.Properties!['Protocol'], sub.Properties!['Endpoint']])).toEqual([
        ['email', 'oncall@example.org'], ['email', 'oncall@example.org'],
      ]);
      reference.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    it('alarms on the campaigns’ failed ratio and on a campaign pausing itself, from the Disclosure EMF metrics; a dashboard line per campaign', () => {
      const byName = Object.fromEntries(alarms().map((alarm) => [alarm.AlarmName as string, alarm]));
      const failed = byName['Disclosure-ticket-CampaignFailedRatio']!;
      expect(failed).toMatchObject({ Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold' });
      expect(JSON.stringify(failed.Metrics)).toContain('"Namespace":"Disclosure"');
      expect((failed.Metrics as { Expression?: string }[]).find((m) => m.Expression)?.Expression).toBe('IF(sent + failed >= 20, failed / (sent + failed), 0)');
      const paused = byName['Disclosure-page-CampaignAutoPaused']!;
      expect(paused).toMatchObject({ MetricName: 'autoPaused', Namespace: 'Disclosure', Dimensions: [{ Name: 'service', Value: 'disclosure-ses-events' }], Threshold: 1 });
      const body = JSON.stringify(ofType('AWS::CloudWatch::Dashboard')[0]![1].Properties!['DashboardBody']).replace(/\\/g, '');
      for (const metric of ['sent', 'failed', 'bounced', 'complained', 'choices', 'sesThrottled', 'pacerWaitMs']) {
        expect(body, metric).toMatch(new RegExp(`SEARCH\\('\\{Disclosure,campaignId[a-z,]*\\} MetricName="${metric}"`));
      }
    });

    it('keeps work-queue messages 14 days, so a pause the expiry alarm lets pass never drops them', () => {
      for (const [, queue] of ofType('AWS::SQS::Queue')) expect(queue.Properties!['MessageRetentionPeriod']).toBe(14 * 86_400);
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it('reports no unacknowledged error or warning', () => {
      expect(reference.nagViolations).toEqual([]);
    });

    it('acknowledges each finding with a specific reason, and only findings that occur', () => {
      const acknowledgements = reference.app.node.findAll().flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            // aws-cdk-lib records unqualified ids under the `Annotation::` namespace; cdk-nag matches them without it.
            id: id.replace(/^annotation::/i, ''),
            reason,
            path: construct.node.path,
          }))),
      );
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const acknowledgement of acknowledgements) {
        expect(acknowledgement.reason.length, acknowledgement.id).toBeGreaterThanOrEqual(40);
        const used = reference.acknowledgedFindings.some((finding) =>
          finding.ruleId === acknowledgement.id && (finding.resourcePath === acknowledgement.path || finding.resourcePath.startsWith(`${acknowledgement.path}/`)));
        expect(used, `${acknowledgement.id} at ${acknowledgement.path} matches a finding`).toBe(true);
      }
    });
  });

  describe('Stack: DisclosureStack', () => {
    it('outputs what the runbook tells operators to use', () => {
      const outputs = Object.keys(reference.template.toJSON()['Outputs'] as Record<string, unknown>);
      expect(outputs).toEqual(expect.arrayContaining([
        'PublicUrl', 'ServiceApiUrl', 'LedgerTableName', 'PlannerDeadLetterQueueUrl', 'SendDeadLetterQueueUrl',
        'ChoiceEventBusName', 'ConfigurationSetName', 'TokenSecretArn', 'AlarmTopicArn', 'TicketTopicArn',
      ]));
      reference.template.hasOutput('LedgerTableName', { Value: { Ref: STATEFUL_LOGICAL_IDS.table } });
      // No bypass URL: the public API's execute-api endpoint is the distribution's origin only.
      expect(outputs).not.toContain('PublicApiOriginUrl');
    });

    it('throttles the choice and acceptance POSTs per route, and names the origin request policy per stack and region', () => {
      const routeSettings = ofType('AWS::ApiGatewayV2::Stage').map(([, stage]) => stage.Properties!['RouteSettings'] as Record<string, unknown> | undefined);
      const keys = routeSettings.flatMap((settings) => Object.keys(settings ?? {}));
      expect(keys).toEqual(expect.arrayContaining(['POST /choices/{token}', 'POST /v1/accounts/{accountId}/acceptances']));
      expect(JSON.stringify(routeSettings)).toContain('"ThrottlingRateLimit":50');
      const policy = ofType('AWS::CloudFront::OriginRequestPolicy')[0]![1].Properties!['OriginRequestPolicyConfig'] as { Name: unknown };
      expect(JSON.stringify(policy.Name)).toContain('AWS::Region');
    });
  });

  describe('synth', () => {
    it('is deterministic: a second synth gives the same template', () => {
      const again = synthPlatform(referenceProps);
      expect(JSON.stringify(again.template.toJSON())).toBe(JSON.stringify(reference.template.toJSON()));
    }, 60_000);

    it('without a JWT issuer, publishes account and admin routes on the IAM service API only', () => {
      const { jwt: _jwt, ...withoutJwt } = referenceProps;
      const variant = synthPlatform(withoutJwt);
      variant.template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' }, 0);
      const routeAuth = Object.values(variant.template.findResources('AWS::ApiGatewayV2::Route')).map((route) => ({
        key: route['Properties'].RouteKey as string,
        auth: (route['Properties'].AuthorizationType as string | undefined) ?? 'NONE',
      }));
      const publicRoutes = routes.filter((route) => route.auth === 'public').length;
      // The public routes plus the $default fallback.
      expect(routeAuth.filter((route) => route.auth === 'NONE')).toHaveLength(publicRoutes + 1);
      expect(routeAuth.filter((route) => route.auth === 'AWS_IAM')).toHaveLength(routes.length - publicRoutes);
      expect(routeAuth).toHaveLength(routes.length + 1);
      // Reached through the service API only: no origin-verify values for accounts and campaigns-api.
      const variantResources = variant.template.toJSON()['Resources'] as Resources;
      const env = (name: PlatformFunctionName) => Object.values(variantResources)
        .find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties!['Description'] === `Disclosure ${name}`)!.Properties!['Environment']?.Variables ?? {};
      expect(Object.keys(env('accounts'))).not.toContain('ORIGIN_VERIFY_VALUES');
      expect(Object.keys(env('campaigns-api'))).not.toContain('ORIGIN_VERIFY_VALUES');
      expect(Object.keys(env('notices'))).toContain('ORIGIN_VERIFY_VALUES');
      expect(Object.keys(env('choices'))).toContain('ORIGIN_VERIFY_VALUES');
    }, 60_000);
  });
});
