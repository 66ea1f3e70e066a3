#!/usr/bin/env -S npx tsx
/**
 * `npm run bench [-- name …]`: runs every `bench/*.bench.ts` (or those whose name contains one of
 * the arguments), each in a fresh Node process so that one benchmark's heap, JIT state and
 * timers do not colour the next, then prints one table and writes `bench/results/latest.json`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCollector, type BenchModule, type BenchResult, type Metric } from './lib/report.ts';

const BENCH_DIR = import.meta.dirname;
const RESULTS_FILE = join(BENCH_DIR, 'results', 'latest.json');
const CHILD_FLAG = '--child';

/** Child mode: run one benchmark file and write its result as JSON to `outFile`. */
const runChild = async (file: string, outFile: string): Promise<void> => {
  const bench = basename(file, '.bench.ts');
  const { report, metrics, notes } = createCollector(bench);
  const started = process.hrtime.bigint();
  let error: string | undefined;
  try {
    const module = (await import(pathToFileURL(file).href)) as BenchModule;
    await module.run(report);
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const result: BenchResult = { bench, metrics, notes, durationMs, ...(error ? { error } : {}) };
  writeFileSync(outFile, JSON.stringify(result));
};

const runInFreshProcess = (file: string, outFile: string): Promise<number> =>
  new Promise((resolve, reject) => {
    // --expose-gc lets memory benchmarks settle the heap before they sample it.
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(BENCH_DIR, 'run.ts'), CHILD_FLAG, file, outFile], {
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });

/** The results already in `latest.json`, or none. */
const previousResults = (): (BenchResult & { at?: string })[] => {
  try {
    const file = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { results?: (BenchResult & { at?: string })[] };
    return Array.isArray(file.results) ? file.results : [];
  } catch {
    return [];
  }
};

const formatValue = (metric: Metric): string => {
  const { value } = metric;
  const shown = Number.isInteger(value) ? value.toLocaleString('en-US') : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
  return `${shown} ${metric.unit}`;
};

const printTable = (results: readonly BenchResult[]): void => {
  const rows: string[][] = [['bench', 'metric', 'value', 'target', '']];
  for (const result of results) {
    if (result.error) rows.push([result.bench, 'ERROR', result.error, '', '✗']);
    for (const metric of result.metrics) {
      const verdict = metric.met === undefined ? '' : metric.met ? '✓' : '✗';
      rows.push([result.bench, metric.name, formatValue(metric), metric.target ?? '', verdict]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  console.log(`\n${line(rows[0]!)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows.slice(1)) console.log(line(row));
  for (const result of results) for (const note of result.notes) console.log(`  note (${result.bench}): ${note}`);
};

const main = async (args: readonly string[]): Promise<number> => {
  if (args[0] === CHILD_FLAG) {
    await runChild(args[1]!, args[2]!);
    return 0;
  }
  const filters = args.filter((arg) => !arg.startsWith('-'));
  const files = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.ts'))
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error(`no benchmark matches ${filters.join(', ')}`);
    return 1;
  }
  const loadBefore = loadavg()[0]!;
  const scratch = mkdtempSync(join(tmpdir(), 'disclosure-bench-'));
  const results: BenchResult[] = [];
  try {
    for (const name of files) {
      const bench = basename(name, '.bench.ts');
      console.error(`▶ ${bench}`);
      const outFile = join(scratch, `${bench}.json`);
      const code = await runInFreshProcess(join(BENCH_DIR, name), outFile);
      try {
        results.push(JSON.parse(readFileSync(outFile, 'utf8')) as BenchResult);
      } catch {
        results.push({ bench, metrics: [], notes: [], durationMs: 0, error: `the benchmark process exited with code ${code} without a result` });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  printTable(results);
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  // The load average says how much the neighbours competed; ratios hold up better than absolutes.
  const load = { before: loadBefore, after: loadavg()[0]! };
  console.log(`\n${cpus().length} CPUs, 1-min load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after`);
  const machine = { node: process.version, platform: `${process.platform}/${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage: load };
  // A filtered run replaces only its own benchmarks' entries, so the file keeps the latest of each.
  const at = new Date().toISOString();
  const fresh = results.map((result) => ({ ...result, at, machine }));
  const kept = filters.length === 0 ? [] : previousResults().filter((previous) => !fresh.some((result) => result.bench === previous.bench));
  const merged = [...kept, ...fresh].sort((a, b) => a.bench.localeCompare(b.bench));
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ at, machine, results: merged }, null, 2)}\n`);
  console.log(`\nresults written to ${RESULTS_FILE}`);
  return results.some((result) => result.error) ? 1 : 0;
};

process.exitCode = await main(process.argv.slice(2));
