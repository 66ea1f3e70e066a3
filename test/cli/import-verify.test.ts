/**
 * `import` and `verify` against the real local engine. IMPORT_LINES sets the size (default 100 in
 * `npm test`; `npm run test:import` runs 10,000 lines with 1 % invalid).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEvidence } from '../../bin/commands/export.ts';
import { importAcceptances } from '../../bin/commands/import.ts';
import { verifyExport } from '../../bin/commands/verify.ts';
import { publishedContent } from '../../functions/ledger/published-content.ts';
import { startTestTable, variantOf, type TestTable } from '../integration/engines.ts';

const LINES = Number(process.env['IMPORT_LINES'] ?? 100);
// Two runs of every line against dynalite on a shared machine: allow ~100 ms a line.
const TIMEOUT = 60_000 + LINES * 100;
const TEMPLATES = join(import.meta.dirname, '../../templates');
const VARIANTS = [variantOf(1, 'eea', 'en'), variantOf(1, 'jp', 'ja'), variantOf(2, 'global', 'en'), variantOf(1, 'ca', 'en')];
const INVALID = [
  (i: number) => JSON.stringify({ accountId: `imp-${i}`, ...VARIANTS[0], contentHash: 'f'.repeat(64), acceptedAt: '2025-01-01T00:00:00Z' }),
  (i: number) => JSON.stringify({ accountId: `imp-${i}`, ...VARIANTS[1], acceptedAt: '2999-01-01T00:00:00Z' }),
  (i: number) => JSON.stringify({ accountId: `imp-${i}`, ...VARIANTS[2] }),
  (i: number) => `{"accountId": "imp-${i}", "noticeId": `,
  (i: number) => JSON.stringify({ accountId: `imp-${i}`, ...VARIANTS[3], region: 'atlantis', acceptedAt: '2025-01-01T00:00:00Z' }),
];

describe(`Commands: import ${LINES} lines (1 % invalid), then verify the export`, () => {
  let table: TestTable;
  let scratch: string;
  let file: string;
  const invalidLines: number[] = [];

  beforeAll(async () => {
    table = await startTestTable();
    scratch = mkdtempSync(join(tmpdir(), 'import-'));
    file = join(scratch, 'acceptances.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) {
      if (i % 100 === 37) {
        invalidLines.push(i + 1);
        lines.push(INVALID[invalidLines.length % INVALID.length]!(i));
        continue;
      }
      const acceptedAt = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
      lines.push(JSON.stringify({ accountId: `imp-${i}`, ...VARIANTS[i % VARIANTS.length], acceptedAt, source: { channel: 'legacy', ip: '203.0.113.9' } }));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await table?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const acceptanceItems = async () => (await table.scanAll()).filter((item) => String(item['sk']).startsWith('EV#ACC#'));

  it('records every valid line once across two runs and reports each invalid line with its reason', async () => {
    const valid = LINES - invalidLines.length;
    const first = await importAcceptances({ file, store: table.store, content: publishedContent, concurrency: 16 });
    expect(first).toMatchObject({ lines: LINES, created: valid, existing: 0 });
    expect(first.rejected.map((r) => r.line)).toEqual(invalidLines);
    expect(first.rejected.every((r) => r.reason.length > 0)).toBe(true);
    const second = await importAcceptances({ file, store: table.store, content: publishedContent, concurrency: 16 });
    expect(second).toMatchObject({ lines: LINES, created: 0, existing: valid });
    expect(second.rejected).toEqual(first.rejected);
    const items = await acceptanceItems();
    expect(items).toHaveLength(valid);
    expect(items.every((item) => item['imported'] === true && typeof item['acceptedAt'] === 'string')).toBe(true);
  }, TIMEOUT);

  it('verify finds 0 mismatches in the export, and reports the one line whose hash was altered', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output });
    output.end();
    const exported = Buffer.concat(chunks).toString('utf8');
    const clean = await verifyExport(Readable.from([exported]), TEMPLATES);
    expect(clean.acceptances).toBe(LINES - invalidLines.length);
    expect(clean.mismatches).toEqual([]);

    const lines = exported.trimEnd().split('\n');
    const target = Math.floor(lines.length / 2);
    const record = JSON.parse(lines[target]!) as { contentHash: string; accountId: string };
    lines[target] = JSON.stringify({ ...record, contentHash: record.contentHash.replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    const altered = await verifyExport(Readable.from([`${lines.join('\n')}\n`]), TEMPLATES);
    expect(altered.mismatches).toHaveLength(1);
    expect(altered.mismatches[0]).toMatch(new RegExp(`^line ${target + 1}: account ${record.accountId}, `));
  }, TIMEOUT);

  it('verify reads the CSV export too', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await exportEvidence({ store: table.store, noticeId: 'privacy', format: 'csv', output });
    output.end();
    const result = await verifyExport(Readable.from([Buffer.concat(chunks).toString('utf8')]), TEMPLATES);
    expect(result.acceptances).toBe(LINES - invalidLines.length);
    expect(result.mismatches).toEqual([]);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0);
  }, TIMEOUT);
});
