/** HTTP load with autocannon, either in a child process (default) or in this process. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** `process`: autocannon runs in a child process, so it does not share the server's event loop. */
  readonly mode: 'process' | 'inprocess';
}

export interface LoadResult {
  /** Mean requests per second over the run. */
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly total: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

const require = createRequire(import.meta.url);
const AUTOCANNON_CLI = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

const toResult = (json: AutocannonJson): LoadResult => ({
  requestsPerSecond: json.requests.average,
  latencyP50Ms: json.latency.p50,
  latencyP99Ms: json.latency.p99,
  errors: json.errors + json.timeouts,
  non2xx: json.non2xx,
  total: json.requests.total,
});

const inChildProcess = (options: LoadOptions): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const args = [AUTOCANNON_CLI, '--json', '-c', String(options.connections), '-d', String(options.durationSeconds), options.url];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve(toResult(JSON.parse(out) as AutocannonJson));
      } catch {
        reject(new Error(`autocannon exited with ${code} and no JSON result`));
      }
    });
  });

const inThisProcess = async (options: LoadOptions): Promise<LoadResult> => {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url: options.url, connections: options.connections, duration: options.durationSeconds });
  return toResult(result as unknown as AutocannonJson);
};

/** Run one load test against `url`. */
export const load = (options: LoadOptions): Promise<LoadResult> => (options.mode === 'process' ? inChildProcess(options) : inThisProcess(options));
