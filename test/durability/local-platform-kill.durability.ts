/**
 * The local platform survives `kill -9` (`npm run test:durability`, in `.ci/run`): `bin/local.ts`
 * as a child process on a `DATA_DIR`, a campaign of ≥ 2,000 recipients started over HTTP, the
 * process SIGKILLed at random points across planning and sending and restarted on the same
 * directory each time. At the end: every affected account with a contact got exactly one email,
 * nobody else any, every email SES accepted has its `NTF sent` evidence and a `sent` recipient,
 * and the counters equal the recipient items.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { withSendFacts } from '../../functions/ledger/send-facts.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { batchPutAll } from '../../functions/ledger/dynamo-batch.ts';
import { DynamoDbAcceptanceStore, createDocumentClient } from '../../functions/ledger/dynamodb-store.ts';
import { accountPk, audiencePk, audienceSk, CONTACT_SK, shardOf, stateSk } from '../../functions/ledger/keys.ts';
import { ensureTable, localClientConfig, startDynamoEngine } from '../../local/dynamo-engine.ts';
import { createLocalJwtAuthorizer } from '../../local/jwt-authorizer.ts';
import { seededRandom } from '../../local/ses/faults.ts';

const REPO = resolve(import.meta.dirname, '../..');
const TABLE = 'disclosure-ledger';
const CAMPAIGN = 'privacy-v2';
const ACCOUNTS = Number(process.env['DURABILITY_ACCOUNTS'] ?? 2460);
const KILLS = Number(process.env['DURABILITY_KILLS'] ?? 12);
const SEED = Number(process.env['DURABILITY_SEED'] ?? 20261201);

interface Account {
  readonly accountId: string;
  readonly region: string;
  readonly language: string;
  readonly email?: string;
}

/** 5 in 6 accounts in the EEA or Japan (notified for version 2), 1 in 41 without a contact. */
const accounts: Account[] = Array.from({ length: ACCOUNTS }, (_, i) => {
  const region = ['eea', 'jp', 'eea', 'jp', 'ca', 'eea'][i % 6]!;
  const accountId = `acct-${String(i).padStart(6, '0')}`;
  return { accountId, region, language: region === 'jp' || i % 5 === 0 ? 'ja' : 'en', ...(i % 41 === 1 ? {} : { email: `${accountId}@example.test` }) };
});

const seed = async (client: DynamoDBDocumentClient): Promise<void> => {
  const items = accounts.flatMap((account) => [
    {
      pk: accountPk(account.accountId),
      sk: stateSk('privacy'),
      accountId: account.accountId,
      noticeId: 'privacy',
      acceptedVersion: 1,
      acceptedAt: '2026-06-01T00:00:00.000Z',
      contentHash: '0'.repeat(64),
      region: account.region,
      language: account.language,
      gsi1pk: audiencePk('privacy', account.region, shardOf(account.accountId)),
      gsi1sk: audienceSk(1, account.accountId),
    },
    ...(account.email ? [{ pk: accountPk(account.accountId), sk: CONTACT_SK, accountId: account.accountId, email: account.email, updatedAt: '2026-06-01T00:00:00.000Z' }] : []),
  ]);
  await batchPutAll(client, TABLE, items, 'seed items');
};

/** Open the DATA_DIR's DynamoDB data in this process (the platform must not be running). */
const withTable = async <T>(dataDir: string, use: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> => {
  const engine = await startDynamoEngine({ dataDir: join(dataDir, 'dynamodb') });
  const raw = new DynamoDBClient(localClientConfig(engine.endpoint));
  const client = createDocumentClient(localClientConfig(engine.endpoint));
  try {
    await ensureTable(raw, TABLE);
    return await use(client);
  } finally {
    client.destroy();
    raw.destroy();
    await engine.stop();
  }
};

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly ses: string;
  readonly output: string[];
}

/** `bin/local.ts` on `dataDir` with random ports; resolves once the gateway listens. */
const startLocal = async (dataDir: string): Promise<Running> => {
  // One process (not the tsx CLI, which runs the script in a child a SIGKILL would orphan).
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: REPO,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SES_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let ses = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        output.push(line);
        ses ||= /SES v2 endpoint on (http:\/\/\S+)/.exec(line)?.[1] ?? '';
        const gateway = /\[local\] gateway on (http:\/\/\S+)/.exec(line)?.[1];
        if (gateway) resolveUrl(gateway);
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code, signal) => reject(new Error(`local platform exited (${code ?? signal}) before listening:\n${output.join('\n')}`)));
  });
  return { child, url, ses, output };
};

const kill = async (running: Running, signal: NodeJS.Signals): Promise<void> => {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = once(running.child, 'exit');
  running.child.kill(signal);
  await exited;
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface SesStore {
  readonly emails: { messageId: string; destination: { to: string[] } }[];
}

interface Progress {
  status: string;
  audience: number;
  sent: number;
  failed: number;
  delivered: number;
}

describe('Local platform on a DATA_DIR: SIGKILLed at random points of a campaign and restarted', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'disclosure-durability-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('ends with every affected account emailed exactly once, evidence for every accepted email, exact counters', async () => {
    const random = seededRandom(SEED);
    await withTable(dataDir, seed);
    // Signed with the key the platform created in its DATA_DIR on the first start.
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const progressOf = async (url: string): Promise<Progress | undefined> => {
      const response = await fetch(`${url}/v1/campaigns/${CAMPAIGN}`, { headers });
      return response.status === 200 ? ((await response.json()) as Progress) : undefined;
    };

    let store: SesStore | undefined;
    let finalProgress = '';
    let lastSent = 0;
    const failedInvocations: string[] = [];
    const killedAt: { ms: number; status: string; sent: number }[] = [];
    const recoveries: string[] = [];
    const republished: string[] = [];
    for (let run = 0; run <= KILLS; run++) {
      const running = await startLocal(dataDir);
      try {
        recoveries.push(...running.output.filter((line) => line.includes('recovery:')));
        republished.push(...running.output.filter((line) => line.includes('SES: events of')));
        if (run === 0) {
          const authorizer = await createLocalJwtAuthorizer({ keyDir: join(dataDir, 'keys') });
          headers['authorization'] = `Bearer ${await authorizer.sign({ sub: 'ops', scope: 'disclosure/admin' })}`;
          const started = await fetch(`${running.url}/v1/campaigns`, { method: 'POST', headers, body: JSON.stringify({ noticeId: 'privacy', version: 2 }) });
          expect(started.status).toBe(202);
        }
        if (run === KILLS) {
          // The last run is not killed: it must finish everything on its own. Done when every
          // recipient is sent or failed and the SES events have stopped moving the counters.
          const deadline = Date.now() + 240_000;
          let stable = 0;
          let last = '';
          while (Date.now() < deadline && stable < 8) {
            await sleep(250);
            const progress = await progressOf(running.url);
            const now = JSON.stringify(progress);
            stable = progress?.status === 'sent' && now === last ? stable + 1 : 0;
            last = now;
          }
          finalProgress = last;
          break;
        }
        // The first two runs die while planning (within 400 ms of the start); the later ones once a
        // random number of further emails went out (at most 20 s), so they die mid-send.
        let ms: number;
        let seen: Progress | undefined;
        if (run < 2) {
          ms = Math.floor(50 + random() * 350);
          await sleep(ms);
          seen = await progressOf(running.url).catch(() => undefined);
        } else {
          const begun = Date.now();
          const target = lastSent + Math.floor(20 + random() * 180);
          do {
            await sleep(100);
            seen = await progressOf(running.url).catch(() => undefined);
          } while ((seen?.sent ?? 0) < target && seen?.status !== 'sent' && Date.now() - begun < 20_000);
          await sleep(Math.floor(random() * 300));
          ms = Date.now() - begun;
        }
        lastSent = seen?.sent ?? lastSent;
        killedAt.push({ ms, status: seen?.status ?? 'unknown', sent: seen?.sent ?? -1 });
        await kill(running, 'SIGKILL');
      } finally {
        if (run === KILLS) {
          store = (await (await fetch(`${running.ses}/store`)).json()) as SesStore;
          recoveries.push(...running.output.filter((line) => line.includes('recovery:')));
          republished.push(...running.output.filter((line) => line.includes('SES: events of')));
          failedInvocations.push(...running.output.filter((line) => line.includes('invocation failed')));
          await kill(running, 'SIGTERM');
        } else {
          await kill(running, 'SIGKILL');
        }
      }
    }
    if (!store) throw new Error('the last run did not read the SES store');
    console.info(JSON.stringify({ finalProgress: JSON.parse(finalProgress || 'null'), failedInvocationsInTheLastRun: failedInvocations.slice(0, 20) }));

    // Emails: exactly once each to every reachable affected account, none to anyone else.
    const affected = accounts.filter((a) => a.region === 'eea' || a.region === 'jp');
    const reachable = affected.filter((a) => a.email);
    expect(affected.length).toBeGreaterThanOrEqual(2000);
    const perAddress = new Map<string, number>();
    for (const email of store.emails) for (const to of email.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    const duplicates = [...perAddress].filter(([, count]) => count > 1);
    const expected = new Set(reachable.map((a) => a.email!));
    const outsiders = [...perAddress.keys()].filter((to) => !expected.has(to));
    const missed = reachable.filter((a) => !perAddress.has(a.email!));
    expect(duplicates).toEqual([]);
    expect(outsiders).toEqual([]);
    expect(missed.map((a) => a.accountId)).toEqual([]);

    const { items, evidence, counters } = await withTable(dataDir, async (client) => {
      const scanned: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
        scanned.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      const snapshot = await new DynamoDbCampaignStore({ tableName: TABLE, client }).snapshot(CAMPAIGN);
      // The `sent` evidence as the export reads it: the EV#NTF items and what the recipient items hold.
      const ledger = new DynamoDbAcceptanceStore({ tableName: TABLE, client });
      const sent: { messageId: string }[] = [];
      for (let shard = 0; shard < 16; shard++) {
        for (const list of [ledger.listNoticeEvidence.bind(ledger), ledger.listCampaignNotificationEvidence.bind(ledger)]) {
          let cursor: string | undefined;
          do {
            const page = await list({ noticeId: 'privacy', shard, ...(cursor ? { cursor } : {}) });
            for (const item of page.items) if (item.kind === 'notification' && item.event === 'sent' && item.campaignId === CAMPAIGN) sent.push(item);
            cursor = page.cursor;
          } while (cursor);
        }
      }
      return {
        // As every reader sees them: a notice its call's item recorded is `sent`, its delivery in the call's log (send-facts.ts).
        items: await withSendFacts({ client, tableName: TABLE }, scanned.filter((item) => String(item['pk']).startsWith(`CMP#${CAMPAIGN}#R#`))),
        evidence: sent,
        counters: snapshot!.counters,
      };
    });

    // Evidence: every message SES accepted has its `sent` evidence, and a `sent` recipient.
    const evidenced = new Set(evidence.map((item) => item.messageId));
    const withoutEvidence = store.emails.filter((email) => !evidenced.has(email.messageId));
    expect(withoutEvidence.map((email) => email.messageId)).toEqual([]);
    expect(evidence.length).toBe(store.emails.length);
    const statuses = new Map<string, number>();
    for (const item of items) statuses.set(String(item['status']), (statuses.get(String(item['status'])) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ sent: reachable.length, failed: affected.length - reachable.length });

    // Counters equal the recipient items.
    expect(counters.audience).toBe(affected.length);
    expect(counters.sent).toBe(statuses.get('sent'));
    expect(counters.failed).toBe(statuses.get('failed'));
    expect(counters.delivered).toBe(items.filter((item) => item['deliveredAt'] !== undefined).length);
    // Every accepted email's Delivery reached the platform, kills between SES's acceptance and its
    // event included (the SES journal publishes at the next start what a kill kept from the queue).
    expect(items.filter((item) => item['status'] === 'sent' && item['deliveredAt'] === undefined).map((item) => item['accountId'])).toEqual([]);
    expect(counters.delivered).toBe(store.emails.length);

    console.info(
      JSON.stringify({
        accounts: ACCOUNTS,
        recipients: affected.length,
        emails: store.emails.length,
        kills: killedAt,
        recoveries: recoveries.map((line) => line.replace(/^\[local\] recovery: /, '')),
        eventsRepublished: republished.map((line) => Number(/events of (\d+)/.exec(line)?.[1] ?? 0)),
        counters: { audience: counters.audience, sent: counters.sent, failed: counters.failed, delivered: counters.delivered },
      }),
    );
    // The kills landed across planning and sending, and restarts had in-flight work to reconcile.
    expect(killedAt).toHaveLength(KILLS);
    expect(killedAt.some((k) => k.status === 'planning' || k.status === 'created' || k.status === 'unknown')).toBe(true);
    expect(killedAt.some((k) => k.sent > 0 && k.sent < reachable.length)).toBe(true);
    const resumed = recoveries.map((line) => Number(/(\d+) plan cursor/.exec(line)?.[1] ?? 0));
    const inFlight = recoveries.map((line) => Number(/(\d+) in-flight recipient\(s\) settled/.exec(line)?.[1] ?? 0) + Number(/(\d+) released/.exec(line)?.[1] ?? 0));
    expect(resumed.some((n) => n > 0)).toBe(true);
    expect(inFlight.some((n) => n > 0)).toBe(true);
  }, 600_000);
});
