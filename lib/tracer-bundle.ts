/**
 * The Powertools Tracer as its own file (`functions/tracer-module.ts` → `tracer.mjs`), copied
 * beside the bundle of every Lambda that logs with Powertools: `functions/tracing.ts` imports it
 * only when tracing is on, so the X-Ray SDK (about 127 KB minified) is in no Lambda's own bundle
 * and no cold start pays for it when tracing is off. Built once per synth with the same esbuild
 * options as the functions (lib/functions.ts), into `.build/tracer/`.
 */
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { TRACER_BUNDLE_FILE } from '../functions/tracing.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** The banner every ESM bundle carries: CommonJS dependencies (the X-Ray SDK) call require(). */
export const REQUIRE_BANNER = "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);";

let built: string | undefined;

/** The path of the built `tracer.mjs` (built on the first call of a process). */
export const tracerBundlePath = (): string => {
  if (built) return built;
  const outfile = path.join(PROJECT_ROOT, '.build', 'tracer', TRACER_BUNDLE_FILE);
  mkdirSync(path.dirname(outfile), { recursive: true });
  // Written aside and renamed: parallel test workers synthesise at once, and a copy must never see half a file.
  const partial = `${outfile}.${process.pid}.partial`;
  buildSync({
    entryPoints: [path.join(PROJECT_ROOT, 'functions', 'tracer-module.ts')],
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
  built = outfile;
  return outfile;
};
