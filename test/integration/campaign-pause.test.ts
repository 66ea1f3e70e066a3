/**
 * Pause and resume through the real sender on the real engines: a campaign paused while it sends
 * sends nothing more (the sender parks the send messages it receives, the progress says paused),
 * and resumed it sends the rest, each affected account exactly once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCampaign } from '../../functions/campaigns/control.ts';
import { renderCampaignEmail } from '../../functions/campaigns/email.ts';
import { campaignProgress, startCampaign } from '../../functions/campaigns/progress.ts';
import { staticTokenKey } from '../../functions/campaigns/token-key.ts';
import { compiledContent } from '../../functions/content/artifact.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { createDocumentClient, DynamoDbAcceptanceStore } from '../../functions/ledger/dynamodb-store.ts';
import { ensureTable, localClientConfig, startDynaliteProcess } from '../../local/dynamo-engine.ts';
import { startSesEndpoint, type SesEndpoint } from '../../local/ses-endpoint.ts';
import { createCampaignQueues, startCampaignWorkers } from '../../local/wiring/workers.ts';
import { emailsByRecipient, seedAccounts, type SeededAccount } from './campaign-seed.ts';

const ACCOUNTS: SeededAccount[] = Array.from({ length: 90 }, (_, i) => ({
  accountId: `acct-${String(i).padStart(4, '0')}`,
  region: i % 3 === 2 ? 'jp' : 'eea',
  language: i % 3 === 2 ? 'ja' : 'en',
  version: 1,
  email: `acct-${String(i).padStart(4, '0')}@example.test`,
}));
const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
const until = async (condition: () => Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('Pausing a campaign while the sender sends', () => {
  const tableName = 'campaign-pause';
  let engine: { endpoint: string; stop(): Promise<void> };
  let raw: DynamoDBClient;
  let client: DynamoDBDocumentClient;
  let ses: SesEndpoint;

  beforeAll(async () => {
    engine = await startDynaliteProcess();
    raw = new DynamoDBClient(localClientConfig(engine.endpoint));
    await ensureTable(raw, tableName);
    client = createDocumentClient(localClientConfig(engine.endpoint));
    await seedAccounts(client, tableName, ACCOUNTS);
    ses = await startSesEndpoint({ port: 0, deliveryEvents: false });
  });
  afterAll(async () => {
    await ses?.stop();
    client?.destroy();
    raw?.destroy();
    await engine?.stop();
  });

  it('parks what it receives while paused, then sends each account once after resume', async () => {
    const queues = createCampaignQueues({ visibilityTimeoutMs: 5000 });
    // A paced sender (40 recipients per second), small messages: the campaign sends for seconds.
    const workers = startCampaignWorkers({
      client,
      tableName,
      sesEndpoint: ses.endpoint,
      publicBaseUrl: 'http://127.0.0.1:3000',
      clock: systemClock,
      tokenKey: staticTokenKey(new Uint8Array(32).fill(3)),
      queues,
      pageSize: 10,
      sendQuotaPerSecond: 40,
      senderConcurrency: 1,
    });
    try {
      const store = workers.store;
      const deps = {
        store,
        audience: new DynamoDbAcceptanceStore({ tableName, client }),
        plannerQueue: queues.planner,
        content: compiledContent,
        renderEmail: renderCampaignEmail,
        publicBaseUrl: 'http://127.0.0.1:3000',
        clock: systemClock,
      };
      const control = { store, content: compiledContent, clock: systemClock, sendQueue: queues.send };
      await startCampaign(deps, { noticeId: 'privacy', version: 2 });
      await until(async () => sum(await emailsByRecipient(ses)) >= 10, 'the first emails');

      const paused = await controlCampaign(control, 'privacy-v2', 'pause', 'wording check');
      expect(paused.status).toBe('paused');
      // Everything queued reaches the sender, which parks it instead of sending.
      await workers.drain();
      const whilePaused = sum(await emailsByRecipient(ses));
      expect(whilePaused).toBeLessThan(ACCOUNTS.length);
      const parked = (await store.parked('privacy-v2')).items.length;
      expect(parked).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await workers.drain();
      expect(sum(await emailsByRecipient(ses))).toBe(whilePaused);
      const progress = await campaignProgress(deps, 'privacy-v2');
      expect(progress).toMatchObject({ status: 'paused', run: { status: 'paused', reason: 'wording check' } });
      expect(progress.sent).toBe(whilePaused);

      const resumed = await controlCampaign(control, 'privacy-v2', 'resume');
      expect(resumed.run.status).toBe('running');
      expect((await store.parked('privacy-v2')).items).toHaveLength(0);
      await workers.drain();

      const emails = await emailsByRecipient(ses);
      if (process.env.DEBUG_PAUSE) {
        const r = await workers.recipients.getRecipients(ACCOUNTS.filter((a) => !emails.has(a.email!)).map((a) => ({ campaignId: 'privacy-v2', accountId: a.accountId })));
        console.log(JSON.stringify([...r.values()].slice(0, 3)), r.size, JSON.stringify(await campaignProgress(deps, 'privacy-v2')), queues.send.depth, queues.planner.depth);
      }
      expect([...emails].filter(([, count]) => count > 1)).toEqual([]);
      expect(ACCOUNTS.filter((a) => !emails.has(a.email!)).map((a) => a.accountId)).toEqual([]);
      expect(emails.size).toBe(ACCOUNTS.length);
      const done = await campaignProgress(deps, 'privacy-v2');
      expect(done).toMatchObject({ status: 'sent', audience: ACCOUNTS.length, sent: ACCOUNTS.length, failed: 0 });
      expect(queues.sendDlq.depth).toBe(0);
    } finally {
      await workers.stop();
    }
  }, 120_000);
});
