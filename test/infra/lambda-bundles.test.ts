/**
 * What each Lambda bundle carries: only the notices Lambda may bundle the full compiled content
 * (`.build/content.json`); every other one reads the slim index and stays ≤ 250 KB minified,
 * content included. Bundled with the construct's esbuild options (as `bench/bundles.bench.ts`).
 */
import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_NAMES, lambdaSpec } from '../../functions/manifest.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const FULL_CONTENT = '.build/content.json';
const CONTENT_INDEX = '.build/content-index.json';
const OTHER_LIMIT_BYTES = 250 * 1024;

const lambdas = [...LAMBDA_NAMES].sort();

interface Bundled {
  readonly bytes: number;
  readonly inputs: Metafile['outputs'][string]['inputs'];
}

const bundles = new Map<string, Bundled>();

beforeAll(async () => {
  await Promise.all(
    lambdas.map(async (name) => {
      const result = await build({
        entryPoints: [lambdaSpec(name).entry],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        minify: true,
        mainFields: ['module', 'main'],
        external: ['@aws-sdk/*'],
        metafile: true,
        write: false,
        outfile: `out/${name}/index.mjs`,
        logLevel: 'silent',
      });
      const output = Object.values(result.metafile.outputs)[0]!;
      bundles.set(name, { bytes: output.bytes, inputs: output.inputs });
    }),
  );
}, 60_000);

describe('Lambda bundles', () => {
  it('finds the notices Lambda and the others', () => {
    expect(lambdas).toContain('notices');
    expect(lambdas.length).toBeGreaterThanOrEqual(8);
  });

  it('bundles the full compiled content into no Lambda (notices reads it from files beside its bundle)', () => {
    for (const name of lambdas) {
      expect(Object.keys(bundles.get(name)!.inputs), name).not.toContain(FULL_CONTENT);
    }
  });

  it('gives every other Lambda that needs content the slim index', () => {
    for (const name of ['accounts', 'campaign-scheduler', 'campaign-sender', 'campaigns-api', 'choices']) {
      expect(Object.keys(bundles.get(name)!.inputs), name).toContain(CONTENT_INDEX);
    }
  });

  it('keeps every Lambda but notices at 250 KB or less, content included', () => {
    for (const name of lambdas.filter((lambda) => lambda !== 'notices')) {
      expect(bundles.get(name)!.bytes, name).toBeLessThanOrEqual(OTHER_LIMIT_BYTES);
    }
  });

  it('carries its own manifest row, not the whole manifest (about 4 KB minified)', () => {
    for (const name of lambdas) {
      const manifest = bundles.get(name)!.inputs['functions/manifest.ts'];
      expect(manifest?.bytesInOutput ?? 0, name).toBeLessThanOrEqual(1536);
    }
  });

  it('keeps the Powertools Tracer and the X-Ray SDK out of every bundle (tracer.mjs beside it, imported only with tracing on)', () => {
    for (const name of lambdas) {
      const inputs = Object.keys(bundles.get(name)!.inputs);
      expect(inputs.filter((input) => /node_modules\/(aws-xray-sdk-core|@aws-lambda-powertools\/tracer)\//.test(input)), name).toEqual([]);
    }
  });

  it('keeps full zod and the YAML parser out of every Lambda', () => {
    for (const name of lambdas) {
      const inputs = Object.keys(bundles.get(name)!.inputs);
      expect(inputs.filter((input) => /node_modules\/yaml\//.test(input)), name).toEqual([]);
      expect(inputs.filter((input) => /node_modules\/zod\/v4\/classic\//.test(input)), name).toEqual([]);
    }
  });
});
