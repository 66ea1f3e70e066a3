/**
 * The ledger's figures: DynamoDB requests per recorded acceptance, per duplicate and per status
 * read (counted on the wire by an SDK middleware, retries included), the accounts handler's
 * overhead against baselines, and the accounts Lambda bundle.
 */
import { build } from 'esbuild';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { makeHandler } from '../functions/lambdas/accounts.ts';
import { publishedContent } from '../functions/ledger/published-content.ts';
import { fixedClock } from '../functions/core/clock.ts';
import { DynamoDbAcceptanceStore } from '../functions/ledger/dynamodb-store.ts';
import type { AcceptanceState } from '../functions/ledger/types.ts';
import { InMemoryAcceptanceStore } from '../test/fakes/acceptance-store.ts';
import { ensureTable, localClientConfig, startDynamoEngine } from '../local/dynamo-engine.ts';
import type { BenchReport } from './lib/report.ts';
import { round } from './lib/stats.ts';
import { interleave } from './lib/timing.ts';
import { httpEvent } from '../test/fakes/http-event.ts';

const ACCEPTANCES = 200;
const STATUS_READS = 200;
const NOW = '2026-11-29T12:00:00.000Z';
const CONTENT_INPUTS = ['.build/content.json', '.build/content-index.json'];
const BUNDLE_LIMIT_KB = 250;

const variant = (version: number, region: string, language: string) => {
  const contentHash = publishedContent.notices[0]!.versions.find((v) => v.version === version)!.variants[`${region}/${language}`]!.contentHash;
  return { noticeId: 'privacy', version, region, language, contentHash };
};

const event = (method: string, path: string, body?: unknown): APIGatewayProxyEventV2 =>
  httpEvent({
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    authorizer: { jwt: { claims: { sub: 'bench-service', scope: 'disclosure/service' }, scopes: null } },
    userAgent: 'bench',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A document client whose every wire request (each retry too) is counted. */
const countingClient = (endpoint: string) => {
  const counter = { requests: 0, byCommand: new Map<string, number>() };
  const base = new DynamoDBClient(localClientConfig(endpoint));
  base.middlewareStack.add(
    (next, context) => async (args) => {
      counter.requests++;
      counter.byCommand.set(context.commandName ?? '?', (counter.byCommand.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'countRequests' },
  );
  return { client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }), counter, base };
};

const measureRequests = async (report: BenchReport): Promise<void> => {
  const engine = await startDynamoEngine({ engine: 'dynalite' });
  const { client, counter, base } = countingClient(engine.endpoint);
  try {
    await ensureTable(base, 'ledger-bench');
    const handler = makeHandler({
      store: new DynamoDbAcceptanceStore({ tableName: 'ledger-bench', client }),
      content: publishedContent,
      clock: fixedClock(NOW),
      logger: new Logger({ serviceName: 'accounts', logLevel: 'SILENT' }),
    });
    const invoke = (e: APIGatewayProxyEventV2) => handler(e, {} as Context);
    const phase = async (name: string, count: number, call: (i: number) => Promise<unknown>) => {
      counter.requests = 0;
      counter.byCommand.clear();
      for (let i = 0; i < count; i++) await call(i);
      const perCall = counter.requests / count;
      report.note(`${name}: ${[...counter.byCommand].map(([command, n]) => `${command} ${round(n / count)}`).join(', ')} per call`);
      return perCall;
    };
    report.progress(`recording ${ACCEPTANCES} acceptances on dynalite`);
    const fresh = await phase('new acceptance', ACCEPTANCES, (i) => invoke(event('POST', `/v1/accounts/bench-${i}/acceptances`, variant(1, 'eea', 'en'))));
    const withEmail = await phase('new acceptance with email', ACCEPTANCES, (i) =>
      invoke(event('POST', `/v1/accounts/bench-mail-${i}/acceptances`, { ...variant(1, 'jp', 'ja'), email: `bench-${i}@example.org` })),
    );
    const duplicate = await phase('duplicate acceptance', ACCEPTANCES, (i) => invoke(event('POST', `/v1/accounts/bench-${i}/acceptances`, variant(1, 'eea', 'en'))));
    const status = await phase('status read', STATUS_READS, (i) => invoke(event('GET', `/v1/accounts/bench-${i}/notices/privacy/status`)));
    const history = await phase('history page', STATUS_READS, (i) => invoke(event('GET', `/v1/accounts/bench-${i}/acceptances`)));
    report.metric({ name: 'DynamoDB requests per new acceptance', value: round(fresh), unit: 'req', target: '<= 2', met: fresh <= 2 });
    report.metric({ name: 'DynamoDB requests per new acceptance + email', value: round(withEmail), unit: 'req' });
    report.metric({ name: 'DynamoDB requests per duplicate acceptance', value: round(duplicate), unit: 'req' });
    report.metric({ name: 'DynamoDB requests per status read', value: round(status), unit: 'req', target: '1', met: status === 1 });
    report.metric({ name: 'DynamoDB requests per history page', value: round(history), unit: 'req', target: '1', met: history === 1 });
  } finally {
    client.destroy();
    await engine.stop();
  }
};

/** Handler stack cost: the full accounts handler over a store that answers at once vs a bare handler returning the same bytes. */
const measureOverhead = async (report: BenchReport): Promise<void> => {
  const state: AcceptanceState = { accountId: 'acct-1', noticeId: 'privacy', acceptedVersion: 1, acceptedAt: NOW, contentHash: variant(1, 'eea', 'en').contentHash, region: 'eea', language: 'en' };
  const instantStore = new InMemoryAcceptanceStore([state]);
  const full = makeHandler({ store: instantStore, content: publishedContent, clock: fixedClock(NOW), logger: new Logger({ serviceName: 'accounts', logLevel: 'SILENT' }) });
  const statusEvent = event('GET', '/v1/accounts/acct-1/notices/privacy/status');
  const precomputed = (await full(statusEvent, {} as Context)) as { body: string };
  const bare = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: precomputed.body });
  report.progress('handler overhead: full stack vs bare handler, interleaved');
  const [fullResult, bareResult] = await interleave(
    [
      { name: 'full', call: () => full(statusEvent, {} as Context) },
      { name: 'bare', call: bare },
    ],
    { warmupCalls: 2000, rounds: 10, callsPerRound: 2000, latencySamplesPerRound: 200 },
  );
  const overheadUs = (1e6 / fullResult!.opsPerSecond - 1e6 / bareResult!.opsPerSecond);
  report.metric({ name: 'accounts status, full handler (stub store)', value: round(fullResult!.opsPerSecond), unit: 'req/s' });
  report.metric({ name: 'bare handler, same bytes', value: round(bareResult!.opsPerSecond), unit: 'req/s' });
  report.metric({ name: 'handler overhead per request', value: round(overheadUs), unit: 'µs', note: 'routing, auth, zod, governance, JSON' });
  report.metric({ name: 'accounts status p99 (stub store)', value: round(fullResult!.latency.p99), unit: 'ms' });
};

/** Overhead against the store: the status route over dynalite vs the same GetItem called directly. */
const measureAgainstStore = async (report: BenchReport): Promise<void> => {
  const engine = await startDynamoEngine({ engine: 'dynalite' });
  const { client, base } = countingClient(engine.endpoint);
  try {
    await ensureTable(base, 'ledger-bench');
    const store = new DynamoDbAcceptanceStore({ tableName: 'ledger-bench', client });
    const handler = makeHandler({ store, content: publishedContent, clock: fixedClock(NOW), logger: new Logger({ serviceName: 'accounts', logLevel: 'SILENT' }) });
    await handler(event('POST', '/v1/accounts/acct-1/acceptances', variant(1, 'eea', 'en')), {} as Context);
    const statusEvent = event('GET', '/v1/accounts/acct-1/notices/privacy/status');
    report.progress('status route over dynalite vs direct GetItem, interleaved');
    const [route, direct] = await interleave(
      [
        { name: 'route', call: () => handler(statusEvent, {} as Context) },
        { name: 'direct', call: () => store.getState('acct-1', 'privacy') },
      ],
      { warmupCalls: 50, rounds: 6, callsPerRound: 100, latencySamplesPerRound: 20 },
    );
    report.metric({ name: 'status route over dynalite / direct GetItem', value: round(route!.opsPerSecond / direct!.opsPerSecond), unit: 'x', note: 'throughput ratio' });
    report.metric({ name: 'status route over dynalite p50', value: round(route!.latency.p50), unit: 'ms' });
  } finally {
    client.destroy();
    await engine.stop();
  }
};

const measureBundle = async (report: BenchReport): Promise<void> => {
  const options = {
    entryPoints: ['functions/lambdas/accounts.ts'],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node24',
    minify: true,
    external: ['@aws-sdk/*'],
    metafile: true,
    write: false,
    absWorkingDir: new URL('..', import.meta.url).pathname,
    logLevel: 'silent' as const,
  };
  const result = await build(options);
  const bytes = result.outputFiles![0]!.contents.length;
  const inputs = Object.values(result.metafile!.outputs)[0]!.inputs;
  const [fullBytes, indexBytes] = CONTENT_INPUTS.map((input) => inputs[input]?.bytesInOutput ?? 0) as [number, number];
  report.metric({ name: 'accounts bundle code (content excluded)', value: round((bytes - fullBytes - indexBytes) / 1024), unit: 'KB' });
  report.metric({ name: 'accounts bundle: content index carried', value: round(indexBytes / 1024), unit: 'KB' });
  report.metric({ name: 'accounts bundle: full compiled content carried', value: round(fullBytes / 1024), unit: 'KB', target: '0', met: fullBytes === 0 });
  report.metric({ name: 'accounts bundle (all)', value: round(bytes / 1024), unit: 'KB', target: `<= ${BUNDLE_LIMIT_KB}`, met: bytes <= BUNDLE_LIMIT_KB * 1024 });
};

/** Entry for `bench/run.ts`. */
export async function run(report: BenchReport): Promise<void> {
  await measureRequests(report);
  await measureOverhead(report);
  await measureAgainstStore(report);
  await measureBundle(report);
  report.note('requests counted by an SDK middleware in the finalizeRequest step (each wire attempt); engine: dynalite in process; overhead rounds interleaved.');
}
