/**
 * Lambda bundle sizes and the notices bundle's cold import. Every Lambda of `functions/manifest.ts`
 * is bundled with the options the CDK construct gives `NodejsFunction` (ESM, minified, Node 24
 * target to match its runtime, `@aws-sdk/*` external, the createRequire banner); the share of the
 * compiled content, the slim content index and the compiled templates is read from the metafile,
 * so code and content are reported apart. Every Lambda but notices is held to 250 KB in all.
 *
 * The notices Lambda reads its content from files beside the bundle (`serving/`, as the
 * construct's afterBundling hook ships them): its cold import is measured against an empty
 * bundle, and again with synthetic content 50× today's (today's notices copied under 50× as many
 * ids, written by the compiler's own `writeServingFiles` into a temp dir, same layout), both for
 * the import alone and for import plus a first response.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { writeServingFiles } from '../compiler/build.ts';
import type { CompiledContent, CompiledNotice } from '../functions/core/content.ts';
import { LAMBDA_NAMES, lambdaSpec } from '../functions/manifest.ts';
import { NOTICES_STACK_FILE } from '../functions/notices/stack-file.ts';
import { apiEvent } from './lib/events.ts';
import type { BenchReport } from './lib/report.ts';
import { median, round } from './lib/stats.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const CONTENT_INPUT = '.build/content.json';
const INDEX_INPUT = '.build/content-index.json';
const TEMPLATES_INPUT = '.build/templates.json';
const NOTICES_CODE_LIMIT_KB = 60;
const OTHER_LIMIT_KB = 250;
const COLD_SAMPLES = 20;
const SERVING_INPUT = '.build/serving';
const NOTICES_STACK_ENTRY = 'functions/notices/stack.ts';
/** How much bigger the synthetic content is than today's. */
const CONTENT_SCALE = 50;

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

interface ColdSample {
  /** import() alone, timed inside the child. */
  readonly importMs: number;
  /** import() plus the first invocation's response, timed inside the child (= importMs without an event). */
  readonly firstResponseMs: number;
  /** spawn to exit, timed in the parent. */
  readonly processMs: number;
}

/** A Lambda context good enough for one invocation in the child. */
const CHILD_CONTEXT = "{awsRequestId:'bench',functionName:'notices',functionVersion:'$LATEST',invokedFunctionArn:'arn:aws:lambda:eu-west-1:000000000000:function:notices',memoryLimitInMB:'1024',logGroupName:'bench',logStreamName:'bench',callbackWaitsForEmptyEventLoop:true,getRemainingTimeInMillis:()=>3000,done(){},fail(){},succeed(){}}";

/** One cold sample: a fresh `node` that imports the bundle (and, with an event, answers it once); the child times itself. */
const coldSample = (file: string, event?: object): Promise<ColdSample> =>
  new Promise((resolvePromise, reject) => {
    const invoke = event
      ? `const r=await m.handler(${JSON.stringify(event)},${CHILD_CONTEXT});if(r.statusCode!==200){process.stderr.write('status '+r.statusCode+' '+r.body);process.exit(3);}`
      : '';
    const script =
      `const t=process.hrtime.bigint();const m=await import(${JSON.stringify(pathToFileURL(file).href)});const i=Number(process.hrtime.bigint()-t)/1e6;` +
      `${invoke}process.stdout.write(JSON.stringify([i,Number(process.hrtime.bigint()-t)/1e6]));`;
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const processMs = Number(process.hrtime.bigint() - started) / 1e6;
      let parsed: unknown;
      try {
        parsed = JSON.parse(out);
      } catch {
        parsed = undefined;
      }
      if (code !== 0 || !Array.isArray(parsed)) reject(new Error(`cold run of ${file} failed (exit ${code})`));
      else resolvePromise({ importMs: Number(parsed[0]), firstResponseMs: Number(parsed[1]), processMs });
    });
  });

/** Today's served content copied under `scale` times as many notice ids (`privacy`, `privacy-2`, …): same shape, `scale`× the files. */
const scaledContent = (content: CompiledContent, scale: number): CompiledContent => {
  const copy = (notice: CompiledNotice, noticeId: string): CompiledNotice => ({
    ...notice,
    noticeId,
    versions: notice.versions.map((version) => ({
      ...version,
      variants: Object.fromEntries(Object.entries(version.variants).map(([key, variant]) => [key, { ...variant, noticeId }])),
    })),
  });
  const notices: CompiledNotice[] = [];
  for (let i = 0; i < scale; i++) for (const notice of content.notices) notices.push(i === 0 ? notice : copy(notice, `${notice.noticeId}-${i + 1}`));
  return { ...content, notices };
};

/** Bytes and files under `dir`. */
const treeSize = (dir: string): { bytes: number; files: number } => {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = treeSize(path);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
};

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
    // The notices request path, bundled on its own and shipped beside the bundle (lib/tracer-bundle.ts, lib/functions.ts).
    const stack = await bundle('notices-stack', [NOTICES_STACK_ENTRY], outDir);
    report.metric({ name: `notices request path (${NOTICES_STACK_FILE}, loaded on the first memo miss)`, value: kb(stack.bytes.length), unit: 'KB' });
    // The notices bundle twice, each with its content files beside it: today's, and 50× today's.
    const content = JSON.parse(readFileSync(join(REPO_ROOT, CONTENT_INPUT), 'utf8')) as CompiledContent;
    cpSync(join(REPO_ROOT, SERVING_INPUT), join(outDir, 'notices', 'serving'), { recursive: true });
    mkdirSync(join(outDir, 'notices-scaled'), { recursive: true });
    writeFileSync(join(outDir, 'notices-scaled', 'index.mjs'), notices.bytes);
    for (const dir of ['notices', 'notices-scaled']) writeFileSync(join(outDir, dir, NOTICES_STACK_FILE), stack.bytes);
    writeServingFiles(scaledContent(content, CONTENT_SCALE), join(outDir, 'notices-scaled', 'serving'));
    const today = treeSize(join(outDir, 'notices', 'serving'));
    const scaled = treeSize(join(outDir, 'notices-scaled', 'serving'));
    report.metric({ name: 'notices content files (today)', value: kb(today.bytes), unit: 'KB' });
    report.metric({ name: `notices content files (synthetic ${CONTENT_SCALE}x)`, value: kb(scaled.bytes), unit: 'KB' });
    report.metric({ name: 'synthetic content / today', value: round(scaled.bytes / today.bytes), unit: 'x' });

    const files = { notices: join(outDir, 'notices', 'index.mjs'), scaled: join(outDir, 'notices-scaled', 'index.mjs'), empty: join(outDir, 'empty', 'index.mjs') };
    // The first response: the latest privacy variant for a Korean viewer in Korea (the last notice id in the synthetic set).
    const request = (noticeId: string) =>
      apiEvent({ route: '/v1/notices/{noticeId}', pathParameters: { noticeId }, headers: { 'cloudfront-viewer-country': 'KR', 'accept-language': 'ko-KR,ko;q=0.9' } });
    const lastId = `${content.notices[0]!.noticeId}-${CONTENT_SCALE}`;
    const runs = {
      empty: () => coldSample(files.empty),
      notices: () => coldSample(files.notices),
      scaled: () => coldSample(files.scaled),
      noticesFirst: () => coldSample(files.notices, request(content.notices[0]!.noticeId)),
      scaledFirst: () => coldSample(files.scaled, request(lastId)),
    } as const;
    const names = Object.keys(runs) as (keyof typeof runs)[];
    report.progress(`cold runs: ${COLD_SAMPLES} fresh node processes per case (${names.join(', ')}), rotating`);
    const samples = Object.fromEntries(names.map((name) => [name, [] as ColdSample[]])) as Record<keyof typeof runs, ColdSample[]>;
    for (const name of names) await runs[name](); // warm the file cache once per case
    for (let i = 0; i < COLD_SAMPLES; i++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length]!;
        samples[name].push(await runs[name]());
      }
    }
    const med = (name: keyof typeof runs, field: keyof ColdSample) => median(samples[name].map((sample) => sample[field]));
    const importNotices = med('notices', 'importMs');
    const importEmpty = med('empty', 'importMs');
    const importScaled = med('scaled', 'importMs');
    const firstNotices = med('noticesFirst', 'firstResponseMs');
    const firstScaled = med('scaledFirst', 'firstResponseMs');
    const processNotices = med('notices', 'processMs');
    const processEmpty = med('empty', 'processMs');
    report.metric({ name: 'cold import notices (median)', value: round(importNotices), unit: 'ms' });
    report.metric({ name: 'cold import empty (median)', value: round(importEmpty), unit: 'ms' });
    report.metric({ name: 'cold import notices/empty', value: round(importNotices / importEmpty), unit: 'x', target: '<= 1.5', met: importNotices / importEmpty <= 1.5 });
    report.metric({ name: `cold import notices, ${CONTENT_SCALE}x content (median)`, value: round(importScaled), unit: 'ms' });
    report.metric({ name: `cold import notices ${CONTENT_SCALE}x/empty`, value: round(importScaled / importEmpty), unit: 'x', target: '<= 1.5', met: importScaled / importEmpty <= 1.5 });
    report.metric({
      name: `cold import notices ${CONTENT_SCALE}x content / today's`,
      value: round(importScaled / importNotices),
      unit: 'x',
      target: '<= 1.2',
      met: importScaled / importNotices <= 1.2,
    });
    report.metric({ name: 'cold import + first response notices (median)', value: round(firstNotices), unit: 'ms' });
    report.metric({ name: `cold import + first response notices, ${CONTENT_SCALE}x content (median)`, value: round(firstScaled), unit: 'ms' });
    report.metric({
      name: `cold import + first response ${CONTENT_SCALE}x content / today's`,
      value: round(firstScaled / firstNotices),
      unit: 'x',
      target: '<= 1.2',
      met: firstScaled / firstNotices <= 1.2,
    });
    report.metric({ name: 'cold start notices (node + import, median)', value: round(processNotices), unit: 'ms' });
    report.metric({ name: 'cold start empty (node + import, median)', value: round(processEmpty), unit: 'ms' });
    report.metric({ name: 'cold start notices/empty', value: round(processNotices / processEmpty), unit: 'x', target: '<= 1.5', met: processNotices / processEmpty <= 1.5 });
    report.note(
      `bundles: esbuild with the construct's NodejsFunction options (ESM, minify, node24, @aws-sdk/* external, createRequire banner); ` +
        `code = output bytes minus the bytes ${CONTENT_INPUT}, ${INDEX_INPUT} and ${TEMPLATES_INPUT} contribute (metafile bytesInOutput); every Lambda but notices is held to ${OTHER_LIMIT_KB} KB all included. Cold: ${COLD_SAMPLES} fresh node ` +
        `processes per case, rotating; "import" is timed inside the child around import(), "first response" from before import() to the handler's answer ` +
        `(GET /v1/notices/{id}, KR, ko) in the child, so it includes loading ${NOTICES_STACK_FILE}; "cold start" is spawn to exit in the parent. The notices bundle reads ${SERVING_INPUT} and ${NOTICES_STACK_FILE} beside it; ` +
        `the ${CONTENT_SCALE}x case is the same bundle beside today's notices written under ${CONTENT_SCALE}x the ids (${scaled.files} files against ${today.files}).`,
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
