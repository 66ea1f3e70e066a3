/**
 * X-Ray tracing for every Lambda but notices: with `POWERTOOLS_TRACE_ENABLED=true` (the `tracing`
 * setting, which also turns on the function's active tracing) each AWS SDK client a Lambda builds
 * in its `defaultDeps` is captured by the Powertools Tracer, so its calls appear as subsegments.
 * Off (the default, and locally), `sdkCapture()` hands back the clients untouched and the tracer
 * is never imported: it ships as its own file beside the bundle (`./tracer-module.ts`,
 * `tracer.mjs`), so it costs neither bundle bytes nor cold-start time.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** Captures an AWS SDK v3 client (or returns it as it is, tracing off). */
export type CaptureClient = <C extends object>(client: C) => C;

/** The tracer file lib/functions.ts writes beside each Lambda's `index.mjs`. */
export const TRACER_BUNDLE_FILE = 'tracer.mjs';

interface TracerModule {
  readonly createTracer: () => Tracer;
}

/** Whether the environment turns tracing on (the value lib/functions.ts sets). */
export const tracingEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => env['POWERTOOLS_TRACE_ENABLED'] === 'true';

// A specifier esbuild cannot follow: the tracer stays out of the Lambda's own bundle.
const importModule = (specifier: string): Promise<TracerModule> => import(specifier) as Promise<TracerModule>;

const notFound = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';

/** The tracer module: `tracer.mjs` beside the bundle in Lambda, else the TypeScript source (tests, `npm start`). */
const loadTracerModule = async (): Promise<TracerModule> => {
  try {
    return await importModule(new URL(`./${TRACER_BUNDLE_FILE}`, import.meta.url).href);
  } catch (error) {
    if (!notFound(error)) throw error;
    return importModule(new URL('./tracer-module.ts', import.meta.url).href);
  }
};

let tracer: Promise<Tracer> | undefined;

/** The container's one tracer, loaded on first use; tracing must be on. */
export const platformTracer = (): Promise<Tracer> => {
  tracer ??= loadTracerModule().then(({ createTracer }) => createTracer()).catch((error: unknown) => {
    tracer = undefined;
    throw error;
  });
  return tracer;
};

const untraced: CaptureClient = (client) => client;

/** How `defaultDeps` wraps each SDK client it builds: captured with tracing on, untouched (and nothing loaded) with it off. */
export const sdkCapture = async (env: NodeJS.ProcessEnv = process.env): Promise<CaptureClient> => {
  if (!tracingEnabled(env)) return untraced;
  const loaded = await platformTracer();
  return <C extends object>(client: C): C => loaded.captureAWSv3Client(client);
};
