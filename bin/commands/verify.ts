/**
 * `npm run cli -- verify [file|-] [--templates dir]`: reads an export (JSON Lines or CSV, as `export`
 * writes them), recomputes every published variant's content hash from the text in templates/
 * (the recipe in compiler/lock.ts), and checks that every acceptance names one. Lists every
 * mismatch with its line; exits 1 on any, 0 when all acceptances verify.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { parse } from 'csv-parse';
import { buildContent } from '../../compiler/build.ts';
import { contentHash } from '../../compiler/hash.ts';
import { DEFAULT_TEMPLATES_DIR, reportValidationError } from './build.ts';

interface ExportedAcceptance {
  readonly kind?: unknown;
  readonly accountId?: unknown;
  readonly noticeId?: unknown;
  readonly version?: unknown;
  readonly region?: unknown;
  readonly language?: unknown;
  readonly contentHash?: unknown;
}

export interface VerifyResult {
  readonly lines: number;
  readonly acceptances: number;
  readonly mismatches: readonly string[];
}

/** Every published variant's hash, recomputed from its sections (not read from the artifact). */
const recomputedHashes = (templatesDir: string): Map<string, string> => {
  const content = buildContent({ templatesDir, drafts: 'exclude' });
  const hashes = new Map<string, string>();
  for (const notice of content.notices) {
    for (const version of notice.versions) {
      for (const variant of Object.values(version.variants)) {
        hashes.set(`${notice.noticeId}/${version.version}/${variant.region}/${variant.language}`, contentHash({ ...variant, noticeId: notice.noticeId, version: version.version }));
      }
    }
  }
  return hashes;
};

/** Records of the export with their 1-based line (the header is line 1 in CSV). */
async function* records(input: Readable): AsyncGenerator<{ line: number; record: ExportedAcceptance | undefined }> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  if (first.value.trimStart().startsWith('{')) {
    let line = 0;
    const parseLine = (text: string): ExportedAcceptance | undefined => {
      try {
        return JSON.parse(text) as ExportedAcceptance;
      } catch {
        return undefined;
      }
    };
    line++;
    yield { line, record: parseLine(first.value) };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      line++;
      if (next.value.trim() === '') continue;
      yield { line, record: parseLine(next.value) };
    }
    return;
  }
  const parser = parse({ columns: true, info: true, relax_column_count: true });
  const feed = (async () => {
    parser.write(`${first.value}\n`);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) parser.write(`${next.value}\n`);
    parser.end();
  })();
  for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const r = row.record;
    yield { line: row.info.lines, record: { ...r, version: r['version'] === '' ? undefined : Number(r['version']) } };
  }
  await feed;
}

/** Verify an export stream against the published text. */
export const verifyExport = async (input: Readable, templatesDir: string): Promise<VerifyResult> => {
  const hashes = recomputedHashes(templatesDir);
  const mismatches: string[] = [];
  let lines = 0;
  let acceptances = 0;
  for await (const { line, record } of records(input)) {
    lines++;
    if (!record || typeof record !== 'object') {
      mismatches.push(`line ${line}: not an evidence record`);
      continue;
    }
    if (record.kind !== 'acceptance') continue;
    acceptances++;
    const key = `${String(record.noticeId)}/${String(record.version)}/${String(record.region)}/${String(record.language)}`;
    const expected = hashes.get(key);
    const who = `account ${String(record.accountId)}, ${String(record.noticeId)} v${String(record.version)} ${String(record.region)}/${String(record.language)}`;
    if (expected === undefined) mismatches.push(`line ${line}: ${who}: no such published variant`);
    else if (record.contentHash !== expected) mismatches.push(`line ${line}: ${who}: contentHash ${String(record.contentHash)} is not the published text's ${expected}`);
  }
  return { lines, acceptances, mismatches };
};

/** Returns the exit code: 0 every acceptance verifies, 1 on any mismatch or failure. */
export const runVerify = async (
  file: string | undefined,
  options: { readonly templates?: string },
  io: { stdout(text: string): void; stderr(text: string): void; stdin?: Readable },
): Promise<number> => {
  try {
    const input = !file || file === '-' ? (io.stdin ?? process.stdin) : createReadStream(file);
    const result = await verifyExport(input, options.templates ?? DEFAULT_TEMPLATES_DIR);
    for (const mismatch of result.mismatches) io.stdout(`${mismatch}\n`);
    io.stderr(`${result.acceptances} acceptance(s) in ${result.lines} record(s): ${result.mismatches.length} mismatch(es)\n`);
    return result.mismatches.length === 0 ? 0 : 1;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr(`error: ${file} does not exist\n`);
      return 1;
    }
    return reportValidationError(error, io);
  }
};

/** Wires `verify` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('verify')
    .description('recompute every content hash of an export (jsonl or csv) from the published text; exit 1 on any mismatch')
    .argument('[file]', 'the export; - or nothing reads stdin')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action(async (file: string | undefined, options: { templates?: string }) => {
      process.exitCode = await runVerify(file, options, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    });
};
