/**
 * Modules shipped as their own file beside a Lambda's bundle, imported only when needed, so neither
 * their bytes nor their evaluation are in the bundle's cold import. Built once per synth with the
 * same esbuild options as the functions (lib/functions.ts), into `.build/<name>/`:
 * - the Powertools Tracer (`functions/tracer-module.ts` → `tracer.mjs`), beside every Lambda that
 *   logs with Powertools: `functions/tracing.ts` imports it only when tracing is on, so the X-Ray
 *   SDK (about 127 KB minified) is in no Lambda's own bundle and no cold start pays for it when
 *   tracing is off;
 * - the notices Lambda's request path (`functions/notices/stack.ts` → `notices-stack.mjs`): the
 *   router, the zod schemas and the routes, imported on the first request its memo cannot answer
 *   (`functions/notices/stack-file.ts`), so its import carries only the warm path.
 */
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { NOTICES_STACK_FILE } from '../functions/notices/stack-file.ts';
import { TRACER_BUNDLE_FILE } from '../functions/tracing.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** The banner every ESM bundle carries: CommonJS dependencies (the X-Ray SDK) call require(). */
export const REQUIRE_BANNER = "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);";

const built = new Map<string, string>();

/** The path of the built `file` bundling `entry` (built on the first call of a process). */
const sideBundlePath = (name: string, entry: string, file: string): string => {
  const known = built.get(name);
  if (known) return known;
  const outfile = path.join(PROJECT_ROOT, '.build', name, file);
  mkdirSync(path.dirname(outfile), { recursive: true });
  // Written aside and renamed: parallel test workers synthesise at once, and a copy must never see half a file.
  const partial = `${outfile}.${process.pid}.partial`;
  buildSync({
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    charset: 'utf8',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    banner: { js: REQUIRE_BANNER },
    legalComments: 'none',
    logLevel: 'error',
  });
  renameSync(partial, outfile);
  built.set(name, outfile);
  return outfile;
};

/** The path of the built `tracer.mjs`. */
export const tracerBundlePath = (): string => sideBundlePath('tracer', 'functions/tracer-module.ts', TRACER_BUNDLE_FILE);

/** The path of the built `notices-stack.mjs`. */
export const noticesStackBundlePath = (): string => sideBundlePath('notices-stack', 'functions/notices/stack.ts', NOTICES_STACK_FILE);
