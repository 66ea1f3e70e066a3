/**
 * The notification evidence a campaign's recipient item holds (its `sent` mark and the SES outcomes
 * kept on it), read back by the ledger's evidence queries on the real engine: the account's history
 * and the regulator export give the same records an `EV#NTF` item would, once each, and the item
 * stays within one write unit (≤ 1 KB) after its whole life.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEvidence } from '../../bin/commands/export.ts';
import { DynamoDbRecipientStore } from '../../functions/campaigns/dynamodb/recipient-store.ts';
import { recordSesEvents } from '../../functions/campaigns/record-ses-events.ts';
import { DynamoDbCampaignStore } from '../../functions/campaigns/dynamodb/campaign-store.ts';
import { systemClock, instantTimers } from '../../functions/core/clock.ts';
import { campaignOf } from '../unit/campaigns/campaign-fixture.ts';
import { startTestTable, type TestTable } from './engines.ts';

const campaign = campaignOf();
const claim = (recipients: DynamoDbRecipientStore, accountId: string, kind: 'notice' | 'reminder', attemptId: string) =>
  recipients.claimRecipient({ campaignId: campaign.campaignId, accountId, kind, attemptId, region: 'eea', language: 'en', now: Date.parse('2026-11-29T12:00:00Z'), leaseMs: 60_000, inDoubtGraceMs: 60_000 });

describe('Ledger: notification evidence held by recipient items', () => {
  let table: TestTable;
  let recipients: DynamoDbRecipientStore;

  beforeAll(async () => {
    table = await startTestTable();
    recipients = new DynamoDbRecipientStore({ tableName: table.tableName, client: table.documentClient });
    const campaigns = new DynamoDbCampaignStore({ tableName: table.tableName, client: table.documentClient });
    await campaigns.createCampaign(campaign);
    // Account n1: sent, delivered, then complained; reminded; its reminder bounced (a reminder's outcome has an item of its own).
    expect((await claim(recipients, 'n1', 'notice', 'att-1')).kind).toBe('claimed');
    expect(await recipients.markSent(campaign.campaignId, 'n1', 'notice', 'att-1', 'ses-n1-notice', '2026-11-29T12:00:01.000Z')).toBe(true);
    await recipients.markRecipient(campaign.campaignId, 'n1', { campaignId: campaign.campaignId, option: 'accept', at: '2026-11-30T00:00:00.000Z', defaulted: false, version: 2 } as never, true);
    expect((await claim(recipients, 'n1', 'reminder', 'att-2')).kind).toBe('claimed');
    expect(await recipients.markSent(campaign.campaignId, 'n1', 'reminder', 'att-2', 'ses-n1-reminder', '2026-12-01T12:00:01.000Z')).toBe(true);
    // Account n2: sent, bounced; the bounce's event arrives twice, and a second message's delivery too.
    expect((await claim(recipients, 'n2', 'notice', 'att-1')).kind).toBe('claimed');
    expect(await recipients.markSent(campaign.campaignId, 'n2', 'notice', 'att-1', 'ses-n2-notice', '2026-11-29T12:00:02.000Z')).toBe(true);
    const deps = { campaigns, recipients, ledger: table.store, clock: systemClock, timers: instantTimers() };
    const event = (accountId: string, name: string, messageId: string, at: string, extra: object = {}) => ({ campaignId: campaign.campaignId, accountId, event: name, messageId, at, kind: 'notice' as const, ...extra });
    await recordSesEvents(deps, [
      event('n1', 'Delivery', 'ses-n1-notice', '2026-11-29T12:00:03.000Z'),
      event('n2', 'Bounce', 'ses-n2-notice', '2026-11-29T12:00:04.000Z', { bounce: { type: 'Permanent', subType: 'General' } }),
      { ...event('n1', 'Bounce', 'ses-n1-reminder', '2026-12-01T12:00:05.000Z', { bounce: { type: 'Transient', subType: 'MailboxFull' } }), kind: 'reminder' as const },
    ]);
    await recordSesEvents(deps, [
      event('n2', 'Bounce', 'ses-n2-notice', '2026-11-29T12:00:04.000Z', { bounce: { type: 'Permanent', subType: 'General' } }),
      event('n2', 'Delivery', 'ses-n2-other', '2026-11-29T12:00:06.000Z'),
      event('n2', 'Delivery', 'ses-n2-other-2', '2026-11-29T12:00:07.000Z'),
      event('n1', 'Complaint', 'ses-n1-notice', '2026-11-29T13:00:00.000Z'),
    ]);
  });
  afterAll(async () => table?.stop());

  const summary = (items: readonly { kind: string; event?: string; messageId?: string; bounceType?: string }[]) =>
    items.filter((item) => item.kind === 'notification').map((item) => `${item.event} ${item.messageId}${item.bounceType ? ` ${item.bounceType}` : ''}`);

  it("gives the account's history every notification once, in time order, from the recipient item and the items of their own", async () => {
    expect(summary(await table.store.listAccountEvidence('n1'))).toEqual([
      'sent ses-n1-notice',
      'delivered ses-n1-notice',
      'complained ses-n1-notice',
      'sent ses-n1-reminder',
      'bounced ses-n1-reminder Transient',
    ]);
    expect(summary(await table.store.listAccountEvidence('n2', { noticeId: 'privacy', kind: 'notification' }))).toEqual([
      'sent ses-n2-notice',
      'bounced ses-n2-notice Permanent',
      'delivered ses-n2-other',
      'delivered ses-n2-other-2',
    ]);
    expect(await table.store.listAccountEvidence('n2', { kind: 'acceptance' })).toEqual([]);
    expect(await table.store.listAccountEvidence('n2', { noticeId: 'cookies' })).toEqual([]);
    const [sent] = await table.store.listAccountEvidence('n2');
    expect(sent).toEqual({ kind: 'notification', event: 'sent', campaignId: 'privacy-v2', messageId: 'ses-n2-notice', version: 2, channel: 'email', at: '2026-11-29T12:00:02.000Z', noticeId: 'privacy', accountId: 'n2' });
  });

  it('exports the same records for the notice, once each, and pages through the recipient partitions', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output });
    output.end();
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { accountId: string; kind: string; event?: string; messageId?: string; bounceType?: string });
    const of = (accountId: string) => summary(lines.filter((line) => line.accountId === accountId)).sort();
    expect(of('n1')).toEqual(['bounced ses-n1-reminder Transient', 'complained ses-n1-notice', 'delivered ses-n1-notice', 'sent ses-n1-notice', 'sent ses-n1-reminder'].sort());
    expect(of('n2')).toEqual(['bounced ses-n2-notice Permanent', 'delivered ses-n2-other', 'delivered ses-n2-other-2', 'sent ses-n2-notice'].sort());

    // One record a page: the cursor carries the walk from page to page and from campaign to campaign.
    const paged: string[] = [];
    for (let shard = 0; shard < 16; shard++) {
      let cursor: string | undefined;
      do {
        const page = await table.store.listCampaignNotificationEvidence({ noticeId: 'privacy', shard, limit: 1, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((item) => `${item.accountId} ${item.kind === 'notification' ? item.event : ''}`));
        cursor = page.cursor;
      } while (cursor);
    }
    expect(paged.sort()).toEqual(['n1 complained', 'n1 delivered', 'n1 sent', 'n1 sent', 'n2 bounced', 'n2 delivered', 'n2 sent']);
  });

  it('keeps a recipient item within one write unit (1 KB) after its whole life', async () => {
    const item = await recipients.getRecipient(campaign.campaignId, 'n1');
    // DynamoDB's item size: attribute names and values in UTF-8 (numbers counted as their digits, generously).
    const size = Object.entries(item!).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value)), 0);
    expect(size).toBeLessThanOrEqual(1024);
  });
});
