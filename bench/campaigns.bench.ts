/**
 * Campaign fan-out benchmark, on the real local engines (dynalite in its own process, the local
 * SES endpoint enforcing a send quota, the in-process queues driving the real planner and sender):
 *
 * - throughput: recipients/s over the quota (target ≥ 0.95) and SES API calls per 1,000 recipients (≤ 21);
 * - memory: peak RSS and heap of the planner + sender for a small and a large audience, each in a
 *   fresh child process (ratio ≤ 1.2);
 * - a cost model: the platform's own cost per million emails from counted requests (DynamoDB
 *   capacity units reported by the engine through an SDK middleware, SQS requests, Lambda
 *   invocations and GB-s), beside SES's own price.
 *
 * - the scheduler's sweeps: reminders and deadline defaults per second over a large campaign.
 *
 * Sizes and quota: CAMPAIGN_BENCH_RECIPIENTS (50,000), CAMPAIGN_BENCH_QUOTA (recipients/s, 100),
 * CAMPAIGN_BENCH_SWEEP_RECIPIENTS (100,000), CAMPAIGN_BENCH_MEMORY_SMALL / _LARGE (10,000 /
 * 100,000); a size of 0 skips that part. dynalite, not the campaign code, bounds
 * what a laptop sustains (one dynalite process serves ~900 single-item writes/s on these 2-core
 * machines, and every email costs ~5 requests): choose the quota the machine keeps up with and read
 * the ratio against it. Keep the quota at two batches a second or more: the local SES bucket holds
 * one second of quota, so at 50/s one 50-recipient call empties it and any jitter in arrival
 * turns the next call into a 429 (seen: 23 of the first ~57 calls). BENCH_DEBUG=1 breaks the
 * DynamoDB requests down by item and update.
 */
import { spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { renderCampaignEmail } from '../functions/campaigns/email.ts';
import { startCampaign } from '../functions/campaigns/progress.ts';
import { staticTokenKey } from '../functions/campaigns/token-key.ts';
import { compiledContent } from '../functions/content/artifact.ts';
import { systemClock, systemTimers } from '../functions/core/clock.ts';
import { batchPutAll } from '../functions/ledger/dynamo-batch.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../functions/ledger/dynamodb-store.ts';
import { CONTACT_SK, accountPk, audiencePk, audienceSk, shardOf, stateSk } from '../functions/ledger/keys.ts';
import { ensureTable, localClientConfig, startDynaliteProcess } from '../local/dynamo-engine.ts';
import { startSesEndpoint } from '../local/ses-endpoint.ts';
import { createCampaignQueues, startCampaignWorkers } from '../local/wiring/workers.ts';
import { campaignPlannerLambda, campaignSenderLambda, sesEventsLambda } from '../functions/manifest.ts';
import { senderSizing } from '../lib/sender-sizing.ts';
import type { BenchReport } from './lib/report.ts';
import { DynamoDbCampaignStore } from '../functions/campaigns/dynamodb/campaign-store.ts';
import { callIdOf, campaignCallKey, recipientKey } from '../functions/campaigns/dynamodb/keys.ts';
import { DynamoDbLateMarkerStore } from '../functions/campaigns/dynamodb/late-store.ts';
import { DynamoDbChoiceOutbox } from '../functions/campaigns/dynamodb/outbox-store.ts';
import { DynamoDbRecipientStore } from '../functions/campaigns/dynamodb/recipient-store.ts';
import { DynamoDbSweepStore } from '../functions/campaigns/dynamodb/sweep-store.ts';
import { InMemoryChoicePublisher } from '../functions/campaigns/events.ts';
import type { Campaign } from '../functions/campaigns/model.ts';
import type { SweepStep } from '../functions/campaigns/sweep-steps.ts';
import { defaultStep, reminderStep, runSweeps, type SchedulerDeps, type SweepRun } from '../functions/campaigns/sweeps.ts';
import { CHOICE_OPTION_IDS } from '../functions/core/choice-options.ts';

const NOW = { now: () => new Date('2026-11-29T12:00:00.000Z') };

/**
 * Unit prices (USD, us-east-1, on-demand list prices), stated so the model can be checked:
 * DynamoDB on-demand since the 1 November 2024 cut (aws.amazon.com/dynamodb/pricing/on-demand:
 * $0.625 per million write request units, $0.125 per million read request units; a strongly
 * consistent read of ≤ 4 KB is one unit, an eventually consistent one half, a write of ≤ 1 KB one
 * unit); SQS standard queues $0.40 per million requests (after the free tier); Lambda $0.20 per
 * million requests and $0.0000133334 per GB-s on Arm; SES $0.10 per 1,000 emails.
 */
export const PRICES = {
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  /** Arm64. */
  lambdaGbSecond: 0.0000133334,
  /** SES configuration-set events go to the default bus as AWS service events: no ingestion charge. */
  eventBridgeAwsServiceEvent: 0,
  /** EventBridge delivering to an SQS target costs nothing beyond the SQS requests (counted). */
  sesPerEmail: 0.1 / 1000,
} as const;

/** Lambda memory the infrastructure gives each worker (MB, from the manifest), for the GB-s estimate. */
const LAMBDA_MEMORY_MB = { planner: campaignPlannerLambda.memoryMb, sender: campaignSenderLambda.memoryMb, sesEvents: sesEventsLambda.memoryMb } as const;

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;


/** Seed `count` affected accounts (eea and jp, version 1, with a contact) in the ledger's key design. */
export const seedAudience = async (client: DynamoDBDocumentClient, tableName: string, count: number): Promise<void> => {
  const items = (i: number): Record<string, unknown>[] => {
    const accountId = `bench-${String(i).padStart(7, '0')}`;
    const region = i % 2 === 0 ? 'eea' : 'jp';
    const language = region === 'jp' ? 'ja' : 'en';
    return [
      {
        pk: accountPk(accountId),
        sk: stateSk('privacy'),
        accountId,
        noticeId: 'privacy',
        acceptedVersion: 1,
        acceptedAt: '2026-06-01T00:00:00.000Z',
        contentHash: '0'.repeat(64),
        region,
        language,
        gsi1pk: audiencePk('privacy', region, shardOf(accountId)),
        gsi1sk: audienceSk(1, accountId),
      },
      { pk: accountPk(accountId), sk: CONTACT_SK, accountId, email: `${accountId}@example.test`, updatedAt: '2026-06-01T00:00:00.000Z' },
    ];
  };
  // 8 writers over chunks of 1,000 accounts, built as they go so a large audience is never all in memory.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let start = next; start < count; start = next) {
        next = Math.min(count, start + 1000);
        await batchPutAll(client, tableName, Array.from({ length: next - start }, (_, k) => items(start + k)).flat(), 'seed items');
      }
    }),
  );
};

interface CapacityCounter {
  requests: Map<string, number>;
  /** Write units per kind of write (`Update recipient claim`, `Put evidence` …). */
  writesBy: Map<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Of `writeUnits`: what the engine does not report but DynamoDB bills (index writes, failed conditions). */
  indexWriteUnits: number;
  failedConditionUnits: number;
}

/** What a request writes to or reads from, by its key: `recipient`, `state`, `evidence`, `call`, `delivery log` … */
const itemKind = (key: Record<string, unknown> | undefined): string => {
  const pk = String(key?.['pk'] ?? '');
  const sk = String(key?.['sk'] ?? '');
  if (/^CMP#.*#R#\d+$/.test(pk)) return 'recipient';
  if (/^CMP#.*#CALL#\d+$/.test(pk)) return sk.endsWith('#D') ? 'delivery log' : 'call';
  if (pk.startsWith('RATE#')) return 'pacer';
  if (pk.startsWith('SWEEP#')) return 'sweep checkpoint';
  const prefix = sk.match(/^[A-Z]+/)?.[0];
  return ({ STATE: 'state', EV: 'evidence', CONTACT: 'contact', CNT: 'counter', PLAN: 'plan', META: 'campaign' } as Record<string, string>)[prefix ?? ''] ?? (sk || 'batch');
};

/** The write a recipient update makes, from its expression (claim, sent mark, outcome, release). */
const recipientWrite = (expression: string): string =>
  expression.includes(':sending') && expression.includes('#lease = :leaseUntil') ? 'claim' : expression.includes('#status = :to') ? 'sent/failed mark' : expression.includes('#eventMessageId') ? 'SES outcome' : expression.includes(':released') ? 'release' : 'other';

/** DynamoDB's item size, near enough: attribute names and values in UTF-8. */
const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value instanceof Set ? [...value] : value) ?? ''), 0);

/**
 * Global secondary index writes DynamoDB bills for a put (the engine reports the table's only):
 * GSI2 (`evidence-by-notice`) projects every attribute, so an evidence item costs its size again;
 * GSI1 (`audience`) a small projection, one unit. An update that leaves the index keys and the
 * projected attributes alone (a state's `notified`, any recipient write) writes no index.
 */
const indexUnitsOfPut = (item: Record<string, unknown>): number =>
  (item['gsi2pk'] !== undefined ? Math.ceil(itemBytes(item) / 1024) : 0) + (item['gsi1pk'] !== undefined ? 1 : 0);

/**
 * Count every DynamoDB request and the capacity it is billed (`ReturnConsumedCapacity`): what the
 * engine reports, plus what DynamoDB bills that the engine does not report (index writes of puts,
 * and a failed conditional write, which still consumes a write unit).
 */
const countCapacity = (client: DynamoDBDocumentClient): CapacityCounter => {
  const counter: CapacityCounter = { requests: new Map(), writesBy: new Map(), readUnits: 0, writeUnits: 0, indexWriteUnits: 0, failedConditionUnits: 0 };
  const addWrite = (what: string, units: number) => {
    counter.writeUnits += units;
    counter.writesBy.set(what, (counter.writesBy.get(what) ?? 0) + units);
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (!('ReturnConsumedCapacity' in input)) input['ReturnConsumedCapacity'] = 'TOTAL';
      const name = String(context.commandName).replace('Command', '');
      const isWrite = /Put|Update|Delete|BatchWrite/.test(name);
      const key = (input['Key'] ?? input['Item']) as Record<string, unknown> | undefined;
      const kind = itemKind(key);
      const expression = String(input['UpdateExpression'] ?? '');
      const callWrite = kind === 'call' && name === 'UpdateItem' ? (expression.includes('#accepted.') ? ' accepted' : expression.startsWith('ADD') ? ' submitted' : ' cleared') : '';
      const what = `${name} ${kind}${kind === 'recipient' && name === 'UpdateItem' ? ` ${recipientWrite(expression)}` : ''}${callWrite}`;
      counter.requests.set(what, (counter.requests.get(what) ?? 0) + 1);
      let result;
      try {
        result = await next(args);
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
          counter.failedConditionUnits += 1;
          addWrite(`${what} (condition failed)`, 1);
        }
        throw error;
      }
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const entry of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]) {
        const units = entry.CapacityUnits ?? (isWrite ? entry.WriteCapacityUnits : entry.ReadCapacityUnits) ?? 0;
        if (isWrite) addWrite(name === 'BatchWriteItem' ? `${name} ${itemKind(((Object.values(input['RequestItems'] as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>)[0] ?? [])[0]?.PutRequest?.Item))}` : what, units);
        else counter.readUnits += units;
      }
      const puts: Record<string, unknown>[] =
        name === 'PutItem'
          ? [input['Item'] as Record<string, unknown>]
          : name === 'BatchWriteItem'
            ? Object.values(input['RequestItems'] as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>).flat().flatMap((request) => (request.PutRequest ? [request.PutRequest.Item] : []))
            : [];
      for (const item of puts) {
        const units = indexUnitsOfPut(item);
        if (units === 0) continue;
        counter.indexWriteUnits += units;
        addWrite(`index writes of ${itemKind(item)} puts`, units);
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountCapacity' },
  );
  return counter;
};

const throughput = async (report: BenchReport, endpoint: string, recipients: number, quota: number) => {
  const raw = new DynamoDBClient(localClientConfig(endpoint));
  const tableName = 'bench-throughput';
  await ensureTable(raw, tableName);
  const seedClient = createDocumentClient(localClientConfig(endpoint));
  report.progress(`seeding ${recipients} accounts`);
  await seedAudience(seedClient, tableName, recipients);
  const client = createDocumentClient(localClientConfig(endpoint));
  const capacity = countCapacity(client);
  let workers: ReturnType<typeof startCampaignWorkers> | undefined;
  let firstAcceptedAt = 0;
  let lastAcceptedAt = 0;
  const ses = await startSesEndpoint({
    port: 0,
    quotaPerSecond: quota,
    onEvent: (event) => {
      // One event per accepted email (no Send is published): its mail timestamp is when SES accepted it.
      if (event.detail.eventType === 'Delivery') {
        const now = performance.now();
        if (firstAcceptedAt === 0) firstAcceptedAt = now;
        lastAcceptedAt = now;
      }
      workers?.publishSesEvent(event);
    },
  });
  // The sender sized as deployed for this quota (lib/sender-sizing.ts), its queue's visibility 6 × its timeout.
  const sizing = senderSizing(quota);
  const queues = createCampaignQueues({ visibilityTimeoutMs: 6 * sizing.timeoutSeconds * 1000 });
  workers = startCampaignWorkers({
    client,
    tableName,
    sesEndpoint: ses.endpoint,
    publicBaseUrl: 'https://disclosure.example',
    clock: systemClock,
    tokenKey: staticTokenKey(new Uint8Array(32).fill(9)),
    queues,
    sendQuotaPerSecond: quota,
    senderConcurrency: sizing.concurrency,
    senderBatchSize: sizing.batchSize,
    functionTimeoutsMs: { sender: sizing.timeoutSeconds * 1000 },
    sesEventsBatchingWindowMs: 5000, // as deployed
    plannerConcurrency: 4,
  });
  report.progress(`campaign over ${recipients} recipients at a quota of ${quota}/s`);
  const started = performance.now();
  await startCampaign(
    { store: workers.store, audience: new DynamoDbAcceptanceStore({ tableName, client }), plannerQueue: queues.planner, content: compiledContent, renderEmail: renderCampaignEmail, publicBaseUrl: 'https://disclosure.example', clock: NOW },
    { noticeId: 'privacy', version: 2 },
  );
  const progress = setInterval(() => report.progress(`${ses.counters.accepted} accepted, ${ses.counters.throttled} throttled`), 10_000);
  await workers.drain();
  clearInterval(progress);
  const totalMs = performance.now() - started;
  const snapshot = await workers.store.snapshot('privacy-v2');
  const sendingSeconds = (lastAcceptedAt - firstAcceptedAt) / 1000;
  const rate = (ses.counters.accepted - 1) / sendingSeconds;
  report.metric({ name: 'send quota (recipients/s)', value: quota, unit: '/s', note: `enforced by the local SES endpoint; limiter set to the same; sender sized from it (lib/sender-sizing.ts): concurrency ${sizing.concurrency}, batch ${sizing.batchSize}, timeout ${sizing.timeoutSeconds} s` });
  report.metric({ name: 'recipients sent', value: ses.counters.accepted, unit: 'emails', note: `campaign sent counter ${snapshot?.counters.sent}` });
  report.metric({ name: 'sustained recipients/s ÷ quota', value: round(rate / quota, 3), unit: 'x', target: '>= 0.95', met: rate / quota >= 0.95, note: `${round(rate)} /s from first to last SES acceptance` });
  report.metric({ name: 'end-to-end recipients/s (incl. planning)', value: round(ses.counters.accepted / (totalMs / 1000)), unit: '/s' });
  const callsPer1000 = (ses.counters.calls / ses.counters.accepted) * 1000;
  report.metric({ name: 'SES API calls per 1,000 recipients', value: round(callsPer1000), unit: 'calls', target: '<= 21', met: callsPer1000 <= 21, note: `${ses.counters.calls} calls, ${ses.counters.throttled} answered 429` });
  // The local queues enforce the sender's sized timeout: an overrun would count here and redeliver its batch.
  const senderInvocations = workers.consumers.sender.invocations;
  report.metric({ name: 'sender invocations over their timeout', value: senderInvocations.timedOut, unit: 'invocations', target: '0', met: senderInvocations.timedOut === 0, note: `${senderInvocations.ok} ok, ${senderInvocations.failed} failed, timeout ${sizing.timeoutSeconds} s` });
  const inDlqs = queues.sendDlq.depth + queues.plannerDlq.depth + queues.sesEventsDlq.depth;
  report.metric({ name: 'messages in a dead-letter queue', value: inDlqs, unit: 'messages', target: '0', met: inDlqs === 0 });
  await workers.stop();
  await ses.stop();

  // Cost model from the counted requests.
  const emails = ses.counters.accepted;
  const perMillion = 1e6 / emails;
  const sqsRequests =
    queues.planner.stats.sent + queues.send.stats.sent + queues.sesEvents.stats.sent + // sends
    // receive + delete batch per invocation (the event source mapping's polling of empty queues is not counted)
    2 * (workers.consumers.planner.invocations.ok + workers.consumers.sender.invocations.ok + workers.consumers.sesEvents.invocations.ok);
  const invocations = (consumer: { invocations: { ok: number; failed: number } }) => consumer.invocations.ok + consumer.invocations.failed;
  const lambda = {
    planner: invocations(workers.consumers.planner),
    sender: invocations(workers.consumers.sender),
    // EventBridge → SQS → the SES-events Lambda in batches of up to 100, as deployed.
    sesEvents: invocations(workers.consumers.sesEvents),
  };
  const gbSecondsOf = {
    planner: (workers.consumers.planner.invocations.ms / 1000) * (LAMBDA_MEMORY_MB.planner / 1024),
    sender: (workers.consumers.sender.invocations.ms / 1000) * (LAMBDA_MEMORY_MB.sender / 1024),
    sesEvents: (workers.consumers.sesEvents.invocations.ms / 1000) * (LAMBDA_MEMORY_MB.sesEvents / 1024),
  };
  const gbSeconds = gbSecondsOf.planner + gbSecondsOf.sender + gbSecondsOf.sesEvents;
  const cost = {
    dynamodb: capacity.writeUnits * PRICES.dynamoWriteRequestUnit + capacity.readUnits * PRICES.dynamoReadRequestUnit,
    sqs: sqsRequests * PRICES.sqsRequest,
    lambda: (lambda.planner + lambda.sender + lambda.sesEvents) * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaGbSecond,
    eventBridge: queues.sesEvents.stats.sent * PRICES.eventBridgeAwsServiceEvent,
  };
  const platform = Object.values(cost).reduce((a, b) => a + b, 0);
  const perEmail = (map: Map<string, number>) =>
    [...map]
      .filter(([, n]) => n / emails >= 0.005)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${round(n / emails, 3)}`)
      .join(', ');
  report.note(`DynamoDB requests per email: ${perEmail(capacity.requests)}`);
  report.note(
    `DynamoDB write units per email by write: ${perEmail(capacity.writesBy)}; of the ${round(capacity.writeUnits / emails, 2)} WRU, ` +
      `${round(capacity.indexWriteUnits / emails, 2)} are index writes and ${round(capacity.failedConditionUnits / emails, 2)} failed conditional writes (billed by DynamoDB, not reported by the engine)`,
  );
  report.metric({ name: 'DynamoDB write units per email', value: round(capacity.writeUnits / emails, 2), unit: 'WRU', note: 'engine-reported, plus index writes and failed conditional writes as DynamoDB bills them' });
  report.metric({ name: 'DynamoDB read units per email', value: round(capacity.readUnits / emails, 2), unit: 'RRU', note: 'engine-reported' });
  report.metric({ name: 'SQS requests per email', value: round(sqsRequests / emails, 3), unit: 'requests', note: `${queues.sesEvents.stats.sent} SES events queued for ${emails} emails` });
  report.metric({
    name: 'Lambda GB-s per email',
    value: round(gbSeconds / emails, 5),
    unit: 'GB-s',
    note: `planner ${round(gbSecondsOf.planner / emails, 5)}, sender ${round(gbSecondsOf.sender / emails, 5)}, SES events ${round(gbSecondsOf.sesEvents / emails, 5)}`,
  });
  report.note(`prices (USD): ${JSON.stringify(PRICES)}; Lambda memory MB ${JSON.stringify(LAMBDA_MEMORY_MB)}; GB-s from measured local handler time (an upper bound: local dynalite is slower than DynamoDB); Lambda invocations: planner ${lambda.planner}, sender ${lambda.sender}, SES events ${lambda.sesEvents}`);
  report.metric({ name: 'platform cost per million emails', value: round(platform * perMillion), unit: 'USD', target: '<= 2', met: platform * perMillion <= 2, note: `DynamoDB ${round(cost.dynamodb * perMillion)}, SQS ${round(cost.sqs * perMillion)}, Lambda ${round(cost.lambda * perMillion)}, EventBridge ${round(cost.eventBridge * perMillion)}` });
  report.metric({ name: 'SES price per million emails (for comparison)', value: round(PRICES.sesPerEmail * 1e6), unit: 'USD' });
  seedClient.destroy();
  client.destroy();
  raw.destroy();
};

/**
 * The scheduler's sweeps over a large campaign: `count` recipients, sent and not chosen, seeded
 * straight into their items as the sender leaves them (state with `notified`, recipient `sending`
 * under its attempt, what SES accepted on the attempt's call items, read back by the send facts); then the reminder step at
 * the reminder window and the default step at the deadline, run as the scheduler runs them
 * (`runSweeps`, 300 s invocations with the checkpoint carrying one to the next) until every walk is
 * done. Reports reminders and defaults per second.
 */
const sweepsBench = async (report: BenchReport, endpoint: string, count: number): Promise<void> => {
  const raw = new DynamoDBClient(localClientConfig(endpoint));
  const tableName = 'bench-sweeps';
  await ensureTable(raw, tableName);
  const client = createDocumentClient(localClientConfig(endpoint));
  const deadline = '2027-02-01T00:00:00.000Z';
  const campaign: Campaign = {
    campaignId: 'privacy-v2',
    noticeId: 'privacy',
    version: 2,
    deadline,
    regions: [{ region: 'eea', notification: 'choice', options: [...CHOICE_OPTION_IDS] }],
    createdAt: '2026-11-01T00:00:00.000Z',
    status: 'started',
  };
  const campaigns = new DynamoDbCampaignStore({ tableName, client });
  await campaigns.createCampaign(campaign);
  report.progress(`sweeps: seeding ${count} sent recipients`);
  const notified = { campaignId: campaign.campaignId, version: 2, deadline, options: [...CHOICE_OPTION_IDS], at: '2026-11-02T00:00:00.000Z' };
  const items = (i: number): Record<string, unknown>[] => {
    const accountId = `sweep-${String(i).padStart(7, '0')}`;
    return [
      {
        pk: accountPk(accountId), sk: stateSk('privacy'), accountId, noticeId: 'privacy', acceptedVersion: 1, acceptedAt: '2026-06-01T00:00:00.000Z',
        contentHash: '0'.repeat(64), region: 'eea', language: 'en', gsi1pk: audiencePk('privacy', 'eea', shardOf(accountId)), gsi1sk: audienceSk(1, accountId), notified,
      },
      // As the sender leaves it: the claim on the recipient item, what SES accepted on its call's item (below).
      { ...recipientKey(campaign.campaignId, accountId), accountId, campaignId: campaign.campaignId, region: 'eea', language: 'en', status: 'sending', attempt: attemptOf(i), leaseUntil: 0 },
    ];
  };
  /** One sender invocation per 500 recipients; one call item per recipient shard of it. */
  const attemptOf = (i: number): string => `seed-${Math.floor(i / 500)}`;
  const callItems = (block: number): Record<string, unknown>[] => {
    const byShard = new Map<number, Record<string, { m: string; t: string }>>();
    for (let i = block * 500; i < Math.min(count, (block + 1) * 500); i++) {
      const accountId = `sweep-${String(i).padStart(7, '0')}`;
      const accepted = byShard.get(shardOf(accountId)) ?? {};
      accepted[accountId] = { m: `m-${accountId}`, t: '2026-11-02T00:00:00.000Z' };
      byShard.set(shardOf(accountId), accepted);
    }
    return [...byShard].map(([shard, accepted]) => ({ ...campaignCallKey(campaign.campaignId, shard, callIdOf(attemptOf(block * 500), 0)), kind: 'notice', accepted }));
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let start = next; start < count; start = next) {
        next = Math.min(count, start + 1000);
        await batchPutAll(client, tableName, Array.from({ length: next - start }, (_, k) => items(start + k)).flat(), 'seed items');
      }
    }),
  );
  for (let block = 0; block * 500 < count; block += 20) {
    await batchPutAll(client, tableName, Array.from({ length: Math.min(20, Math.ceil(count / 500) - block) }, (_, k) => callItems(block + k)).flat(), 'seed call items');
  }
  for (let block = 0; block * 500 < count; block += 20) {
    await batchPutAll(client, tableName, Array.from({ length: Math.min(20, Math.ceil(count / 500) - block) }, (_, k) => callItems(block + k)).flat(), 'seed call items');
  }
  const recipients = new DynamoDbRecipientStore({ tableName, client, timers: systemTimers });
  const ledger = new DynamoDbAcceptanceStore({ tableName, client, timers: systemTimers });
  let enqueued = 0;
  const deps: SchedulerDeps = {
    content: compiledContent,
    campaigns,
    ledger,
    choices: recipients,
    events: new InMemoryChoicePublisher(),
    outbox: new DynamoDbChoiceOutbox({ tableName, client }),
    sweeps: new DynamoDbSweepStore({ tableName, client }),
    late: new DynamoDbLateMarkerStore({ tableName, client }),
    recipients,
    contacts: ledger,
    sendQueue: { send: async (messages) => void (enqueued += messages.reduce((sum, message) => sum + message.accountIds.length, 0)) },
    reminderDays: 7,
    log: () => {},
  };
  const INVOCATION_MS = 300_000;
  const sweep = async (step: SweepStep<SweepRun>, now: Date): Promise<{ processed: number; seconds: number; invocations: number }> => {
    const started = performance.now();
    let processed = 0;
    let invocations = 0;
    for (;;) {
      const invoked = performance.now();
      invocations++;
      const result = await runSweeps(deps, now, () => INVOCATION_MS - (performance.now() - invoked), [step]);
      processed += result.walks.reduce((sum, walk) => sum + walk.processed, 0);
      if (!result.outOfTime) break;
    }
    return { processed, seconds: (performance.now() - started) / 1000, invocations };
  };
  report.progress(`sweeps: reminders over ${count} recipients`);
  const reminders = await sweep(reminderStep, new Date('2027-01-28T00:00:00.000Z'));
  report.metric({ name: `reminders per second, ${count} recipients`, value: round(reminders.processed / reminders.seconds), unit: '/s', note: `${reminders.processed} reminders enqueued (${enqueued} recipients in send messages) in ${round(reminders.seconds, 1)} s, ${reminders.invocations} scheduler invocation(s) of 300 s` });
  report.progress(`sweeps: defaults over ${count} recipients`);
  const defaults = await sweep(defaultStep, new Date(Date.parse(deadline) + 3_600_000));
  report.metric({ name: `defaults per second, ${count} recipients`, value: round(defaults.processed / defaults.seconds), unit: '/s', note: `${defaults.processed} protective defaults recorded in ${round(defaults.seconds, 1)} s, ${defaults.invocations} scheduler invocation(s) of 300 s` });
  client.destroy();
  raw.destroy();
};

/** Child mode: run planner + sender over a seeded table, print the peak memory as JSON. */
const memoryChild = async (): Promise<void> => {
  const { endpoint, tableName, sesEndpoint } = JSON.parse(process.env['CAMPAIGN_BENCH_CHILD']!) as { endpoint: string; tableName: string; sesEndpoint: string };
  const client = createDocumentClient(localClientConfig(endpoint));
  const queues = createCampaignQueues({ visibilityTimeoutMs: 120_000 });
  const workers = startCampaignWorkers({
    client,
    tableName,
    sesEndpoint,
    publicBaseUrl: 'https://disclosure.example',
    clock: systemClock,
    tokenKey: staticTokenKey(new Uint8Array(32).fill(9)),
    queues,
    senderConcurrency: 4,
    plannerConcurrency: 2,
  });
  let peakRss = 0;
  let peakHeap = 0;
  // With --expose-gc the heap figure is live memory (what grows with the audience), not GC laziness.
  const collect = (globalThis as { gc?: () => void }).gc;
  let samples = 0;
  const sample = () => {
    if (collect && ++samples % 10 === 0) collect();
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  await startCampaign(
    { store: workers.store, audience: new DynamoDbAcceptanceStore({ tableName, client }), plannerQueue: queues.planner, content: compiledContent, renderEmail: renderCampaignEmail, publicBaseUrl: 'https://disclosure.example', clock: NOW },
    { noticeId: 'privacy', version: 2 },
  );
  await workers.drain();
  sample();
  clearInterval(sampler);
  const snapshot = await workers.store.snapshot('privacy-v2');
  await workers.stop();
  client.destroy();
  process.stdout.write(`${JSON.stringify({ peakRss, peakHeap, maxRssKb: process.resourceUsage().maxRSS, sent: snapshot?.counters.sent ?? 0 })}\n`);
};

const memoryRun = async (report: BenchReport, endpoint: string, recipients: number): Promise<{ peakRss: number; peakHeap: number; maxRssKb: number; sent: number }> => {
  const raw = new DynamoDBClient(localClientConfig(endpoint));
  const tableName = `bench-memory-${recipients}`;
  await ensureTable(raw, tableName);
  const seedClient = createDocumentClient(localClientConfig(endpoint));
  report.progress(`memory: seeding ${recipients} accounts`);
  await seedAudience(seedClient, tableName, recipients);
  seedClient.destroy();
  raw.destroy();
  // SES answers in this process (no quota, no events): the child holds only the planner and sender.
  const ses = await startSesEndpoint({ port: 0 });
  try {
    report.progress(`memory: planner + sender over ${recipients} recipients in a fresh process`);
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', import.meta.filename, '--memory-child'], {
      env: { ...process.env, CAMPAIGN_BENCH_CHILD: JSON.stringify({ endpoint, tableName, sesEndpoint: ses.endpoint }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (data: Buffer) => (output += String(data)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`memory child exited with ${code}`);
    // Clear the local SES store between runs: it lives in this process, not the child's.
    await fetch(`${ses.endpoint}/clear-store`, { method: 'POST' });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    await ses.stop();
  }
};

/** The bench entry (`bench/run.ts`). */
export async function run(report: BenchReport): Promise<void> {
  const recipients = Number(process.env['CAMPAIGN_BENCH_RECIPIENTS'] ?? 50_000);
  const quota = Number(process.env['CAMPAIGN_BENCH_QUOTA'] ?? 100);
  const small = Number(process.env['CAMPAIGN_BENCH_MEMORY_SMALL'] ?? 10_000);
  const large = Number(process.env['CAMPAIGN_BENCH_MEMORY_LARGE'] ?? 100_000);
  const sweepRecipients = Number(process.env['CAMPAIGN_BENCH_SWEEP_RECIPIENTS'] ?? 100_000);
  const engine = await startDynaliteProcess();
  try {
    if (recipients > 0) await throughput(report, engine.endpoint, recipients, quota);
    if (sweepRecipients > 0) await sweepsBench(report, engine.endpoint, sweepRecipients);
    if (small <= 0 || large <= 0) return; // CAMPAIGN_BENCH_MEMORY_SMALL=0: no memory runs
    const smallRun = await memoryRun(report, engine.endpoint, small);
    const largeRun = await memoryRun(report, engine.endpoint, large);
    const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
    report.metric({ name: `peak RSS, ${small} recipients`, value: mb(smallRun.peakRss), unit: 'MB', note: `heap ${mb(smallRun.peakHeap)} MB, sent ${smallRun.sent}` });
    report.metric({ name: `peak RSS, ${large} recipients`, value: mb(largeRun.peakRss), unit: 'MB', note: `heap ${mb(largeRun.peakHeap)} MB, sent ${largeRun.sent}` });
    const ratio = largeRun.peakRss / smallRun.peakRss;
    report.metric({ name: `peak RSS ratio ${large} / ${small}`, value: round(ratio, 3), unit: 'x', target: '<= 1.2', met: ratio <= 1.2 });
    report.metric({ name: `peak heap ratio ${large} / ${small}`, value: round(largeRun.peakHeap / smallRun.peakHeap, 3), unit: 'x' });
  } finally {
    await engine.stop();
  }
}

if (process.argv.includes('--memory-child')) {
  memoryChild().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`memory child failed: ${(error as Error)?.name}\n`);
      process.exit(1);
    },
  );
}
