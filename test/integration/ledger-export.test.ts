import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEvidence, CSV_COLUMNS } from '../../bin/commands/export.ts';
import { startTestTable, variantOf, type TestTable } from './engines.ts';

const collect = async (run: (output: PassThrough) => Promise<void>): Promise<string> => {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  await run(output);
  output.end();
  return Buffer.concat(chunks).toString('utf8');
};

describe('Command: export', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
    for (let i = 0; i < 30; i++) {
      const variant = variantOf(1 + (i % 2), i % 3 === 0 ? 'jp' : 'eea', 'en');
      await table.store.appendAcceptance({ kind: 'acceptance', accountId: `exp-${i}`, ...variant, at: `2026-11-29T12:00:${String(i).padStart(2, '0')}.000Z`, source: { channel: 'web', ipPrefix: '203.0.113.0/24' } });
    }
    await table.store.appendEvidence('exp-1', 'privacy', { kind: 'choice', campaignId: 'c1', version: 2, option: 'delete', defaulted: false, channel: 'web', seq: 1, evidenceId: 'c1/exp-1/1', writer: 'w', shown: { options: ['accept', 'delete'], region: 'eea', language: 'en' }, at: '2026-12-01T00:00:00.000Z' });
    await table.store.appendEvidence('exp-x', 'cookies', { kind: 'notification', event: 'sent', campaignId: 'c2', messageId: 'm', version: 1, channel: 'email', at: '2026-12-01T00:00:00.000Z' });
  });
  afterAll(async () => table?.stop());

  it('streams every evidence item of the notice as JSON Lines, walking all shards and pages', async () => {
    const progress: number[] = [];
    const text = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output, onProgress: ({ shardsDone }) => progress.push(shardsDone) }));
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { accountId: string; kind: string; noticeId: string });

    expect(lines).toHaveLength(31);
    expect(new Set(lines.map((line) => `${line.accountId}/${line.kind}`)).size).toBe(31);
    expect(lines.every((line) => line.noticeId === 'privacy')).toBe(true);
    expect(progress.at(-1)).toBe(16);
  });

  it('writes CSV with a header and one flattened row per item', async () => {
    const text = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'csv', output }));
    // The fixture has no commas or quotes in any value, so a plain split reads it back.
    const [header, ...body] = text.trim().split('\n');
    const names = header!.split(',');
    const rows = body.map((line) => Object.fromEntries(line.split(',').map((value, index) => [names[index]!, value])));

    expect(text.split('\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(31);
    expect(rows.find((row) => row['kind'] === 'choice')).toMatchObject({ option: 'delete', defaulted: 'false', accountId: 'exp-1' });
    expect(rows.find((row) => row['accountId'] === 'exp-0')).toMatchObject({ channel: 'web', ipPrefix: '203.0.113.0/24', region: 'jp' });
  });
});
