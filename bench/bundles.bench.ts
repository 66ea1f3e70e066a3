/**
 * Lambda bundle sizes and the notices bundle's cold import. Every Lambda of `functions/manifest.ts`
 * is bundled with the options the CDK construct gives `NodejsFunction` (ESM, minified, Node 24
 * target to match its runtime, `@aws-sdk/*` external, the createRequire banner); the share of the
 * compiled content, the slim content index and the compiled templates is read from the metafile,
 * so code and content are reported apart. Every Lambda but notices is held to 250 KB in all.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { LAMBDA_NAMES, lambdaSpec } from '../functions/manifest.ts';
import type { BenchReport } from './lib/report.ts';
import { median, round } from './lib/stats.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const CONTENT_INPUT = '.build/content.json';
const INDEX_INPUT = '.build/content-index.json';
const TEMPLATES_INPUT = '.build/templates.json';
const NOTICES_CODE_LIMIT_KB = 60;
const OTHER_LIMIT_KB = 250;
const COLD_SAMPLES = 20;

/** Mirrors `bundling` in lib/functions.ts. */
const lambdaBundling: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: false,
  charset: 'utf8',
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
  metafile: true,
  write: false,
  absWorkingDir: REPO_ROOT,
  logLevel: 'silent',
};

interface Bundle {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Bytes the full compiled content contributes. */
  readonly contentBytes: number;
  readonly indexBytes: number;
  readonly templatesBytes: number;
  readonly sdkImports: number;
}

const bundle = async (name: string, entry: BuildOptions['entryPoints'] | { contents: string }, outDir: string): Promise<Bundle> => {
  const outfile = join(outDir, name, 'index.mjs');
  const input = Array.isArray(entry) ? { entryPoints: entry } : { stdin: { ...(entry as { contents: string }), resolveDir: REPO_ROOT, loader: 'ts' as const } };
  const result = await build({ ...lambdaBundling, ...input, outfile });
  const output = result.outputFiles![0]!;
  const meta = Object.values(result.metafile!.outputs)[0]!;
  mkdirSync(join(outDir, name), { recursive: true });
  writeFileSync(outfile, output.contents);
  return {
    name,
    bytes: output.contents,
    contentBytes: meta.inputs[CONTENT_INPUT]?.bytesInOutput ?? 0,
    indexBytes: meta.inputs[INDEX_INPUT]?.bytesInOutput ?? 0,
    templatesBytes: meta.inputs[TEMPLATES_INPUT]?.bytesInOutput ?? 0,
    sdkImports: meta.imports.filter((imported) => imported.path.startsWith('@aws-sdk/')).length,
  };
};

/** One cold sample: a fresh `node` that imports the bundle; the child times the import itself. */
const coldSample = (file: string): Promise<{ importMs: number; processMs: number }> =>
  new Promise((resolvePromise, reject) => {
    const script = `const t=process.hrtime.bigint();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const processMs = Number(process.hrtime.bigint() - started) / 1e6;
      const importMs = Number(out);
      if (code !== 0 || !Number.isFinite(importMs)) reject(new Error(`cold import of ${file} failed (exit ${code})`));
      else resolvePromise({ importMs, processMs });
    });
  });

const kb = (bytes: number): number => round(bytes / 1024, 4);

export async function run(report: BenchReport): Promise<void> {
  if (!existsSync(join(REPO_ROOT, CONTENT_INPUT))) throw new Error(`${CONTENT_INPUT} is missing: run \`npm run cli -- build\``);
  const outDir = mkdtempSync(join(tmpdir(), 'disclosure-bundles-'));
  try {
    const lambdas = [...LAMBDA_NAMES].sort();
    report.progress(`bundling ${lambdas.length} Lambdas`);
    const bundles: Bundle[] = [];
    for (const name of lambdas) {
      try {
        bundles.push(await bundle(name, [lambdaSpec(name).entry], outDir));
      } catch (error) {
        report.note(`${name}: bundling failed (${(error as Error).message.split('\n')[0]})`);
      }
    }
    for (const item of bundles) {
      const codeBytes = item.bytes.length - item.contentBytes - item.indexBytes - item.templatesBytes;
      const isNotices = item.name === 'notices';
      if (isNotices) {
        report.metric({
          name: `${item.name} code (minified, content excluded)`,
          value: kb(codeBytes),
          unit: 'KB',
          target: `<= ${NOTICES_CODE_LIMIT_KB}`,
          met: codeBytes <= NOTICES_CODE_LIMIT_KB * 1024,
        });
      } else {
        report.metric({ name: `${item.name} code (minified, content excluded)`, value: kb(codeBytes), unit: 'KB' });
      }
      if (item.contentBytes > 0 || !isNotices) {
        report.metric({
          name: `${item.name} compiled content`,
          value: kb(item.contentBytes),
          unit: 'KB',
          ...(isNotices ? {} : { target: '0', met: item.contentBytes === 0 }),
        });
      }
      if (item.indexBytes > 0) report.metric({ name: `${item.name} content index`, value: kb(item.indexBytes), unit: 'KB' });
      if (item.templatesBytes > 0) report.metric({ name: `${item.name} compiled templates`, value: kb(item.templatesBytes), unit: 'KB' });
      if (!isNotices) {
        report.metric({
          name: `${item.name} bundle (minified, all content included)`,
          value: kb(item.bytes.length),
          unit: 'KB',
          target: `<= ${OTHER_LIMIT_KB}`,
          met: item.bytes.length <= OTHER_LIMIT_KB * 1024,
        });
      }
      report.metric({ name: `${item.name} bundle gzip (all)`, value: kb(gzipSync(item.bytes).length), unit: 'KB' });
      if (isNotices) report.metric({ name: 'notices @aws-sdk imports', value: item.sdkImports, unit: 'imports', target: '0', met: item.sdkImports === 0 });
    }

    const notices = bundles.find((item) => item.name === 'notices');
    if (!notices) return;
    await bundle('empty', { contents: 'export const handler = async () => ({ statusCode: 200 });' }, outDir);
    const files = { notices: join(outDir, 'notices', 'index.mjs'), empty: join(outDir, 'empty', 'index.mjs') };
    report.progress(`cold imports: ${COLD_SAMPLES} fresh node processes per bundle, alternating`);
    const samples = { notices: [] as { importMs: number; processMs: number }[], empty: [] as { importMs: number; processMs: number }[] };
    await coldSample(files.empty);
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const order = i % 2 === 0 ? (['notices', 'empty'] as const) : (['empty', 'notices'] as const);
      for (const name of order) samples[name].push(await coldSample(files[name]));
    }
    const importNotices = median(samples.notices.map((sample) => sample.importMs));
    const importEmpty = median(samples.empty.map((sample) => sample.importMs));
    const processNotices = median(samples.notices.map((sample) => sample.processMs));
    const processEmpty = median(samples.empty.map((sample) => sample.processMs));
    report.metric({ name: 'cold import notices (median)', value: round(importNotices), unit: 'ms' });
    report.metric({ name: 'cold import empty (median)', value: round(importEmpty), unit: 'ms' });
    report.metric({ name: 'cold import notices/empty', value: round(importNotices / importEmpty), unit: 'x', target: '<= 1.5', met: importNotices / importEmpty <= 1.5 });
    report.metric({ name: 'cold start notices (node + import, median)', value: round(processNotices), unit: 'ms' });
    report.metric({ name: 'cold start empty (node + import, median)', value: round(processEmpty), unit: 'ms' });
    report.metric({ name: 'cold start notices/empty', value: round(processNotices / processEmpty), unit: 'x', target: '<= 1.5', met: processNotices / processEmpty <= 1.5 });
    report.note(
      `bundles: esbuild with the construct's NodejsFunction options (ESM, minify, node24, @aws-sdk/* external, createRequire banner); ` +
        `code = output bytes minus the bytes ${CONTENT_INPUT}, ${INDEX_INPUT} and ${TEMPLATES_INPUT} contribute (metafile bytesInOutput); every Lambda but notices is held to ${OTHER_LIMIT_KB} KB all included. Cold: ${COLD_SAMPLES} fresh node ` +
        `processes per bundle, alternating; "import" is timed inside the child around import(), "cold start" is spawn to exit in the parent.`,
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
