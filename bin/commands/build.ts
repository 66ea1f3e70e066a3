/**
 * `build [--quiet] [--force] [--templates dir] [--out file]`: compile templates/ into .build/content.json,
 * and beside it the slim index `content-index.json` and the run-time templates `templates.json`.
 *
 * `npm test`, `npm start` and `npm run typecheck` run this first, so it must be cheap when nothing
 * changed: it fingerprints its inputs (the templates, the compiler and the code under functions/ that
 * shapes the artifact, the lockfile) and only loads the compiler — marked, sanitize-html, zod, the OpenAPI
 * schemas — when the fingerprint differs from the one stored beside the artifact.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { artifactDeclarationPath } from '../../compiler/artifact-declaration.ts';
import { ContentValidationError, formatProblem } from '../../compiler/errors.ts';

export const DEFAULT_TEMPLATES_DIR = 'templates';
export const DEFAULT_OUT_FILE = '.build/content.json';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');

/** The artifacts written beside the compiled content (`--out`): the slim index and the run-time templates. */
export const siblingArtifacts = (outFile: string): { readonly index: string; readonly templates: string; readonly serving: string } => ({
  index: join(dirname(outFile), 'content-index.json'),
  templates: join(dirname(outFile), 'templates.json'),
  serving: join(dirname(outFile), 'serving'),
});

/** Where a command writes; tests pass their own. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export interface BuildCommandOptions {
  readonly quiet?: boolean;
  /** Rebuild even when the inputs' fingerprint matches the artifact's. */
  readonly force?: boolean;
  readonly templates?: string;
  readonly out?: string;
}

/** Runs the build and resolves to the exit code: 0 built or up to date, 1 the templates are invalid. */
export const runBuild = async (options: BuildCommandOptions, io: CommandIo = processIo): Promise<number> => {
  const started = performance.now();
  const templatesDir = options.templates ?? DEFAULT_TEMPLATES_DIR;
  const outFile = options.out ?? DEFAULT_OUT_FILE;
  const fingerprintFile = `${outFile}.fingerprint`;
  const fingerprint = inputsFingerprint(templatesDir);
  const siblings = siblingArtifacts(outFile);

  const artifacts = [outFile, siblings.index, siblings.templates, siblings.serving];
  const allExist = artifacts.every((file) => {
    const declaration = artifactDeclarationPath(file);
    return existsSync(file) && (declaration === undefined || existsSync(declaration));
  });
  if (!options.force && allExist && readOptional(fingerprintFile) === fingerprint) {
    if (!options.quiet) io.stdout(`up to date ${outFile} (${Math.round(performance.now() - started)} ms)\n`);
    return 0;
  }

  const { buildContent, buildRenderTemplates, contentIndexOf, writeContentArtifact, writeServingFiles } = await import('../../compiler/build.ts');
  try {
    // What is served and deployed: drafts (versions without a publication lock) stay out.
    const content = buildContent({ templatesDir, drafts: 'exclude' });
    const templates = buildRenderTemplates({ templatesDir });
    const wrote = writeContentArtifact(content, outFile);
    writeContentArtifact(contentIndexOf(content), siblings.index);
    writeContentArtifact(templates, siblings.templates);
    if (wrote || !existsSync(siblings.serving)) writeServingFiles(content, siblings.serving);
    writeFileSync(fingerprintFile, fingerprint);
    if (!options.quiet) {
      const variants = content.notices.reduce(
        (sum, notice) => sum + notice.versions.reduce((count, version) => count + Object.keys(version.variants).length, 0),
        0,
      );
      const elapsed = Math.round(performance.now() - started);
      io.stdout(
        `${wrote ? 'built' : 'unchanged'} ${outFile}: ${content.notices.length} notice(s), ${variants} variants, ` +
          `source ${content.sourceHash.slice(0, 12)} (${elapsed} ms)\n`,
      );
    }
    return 0;
  } catch (error) {
    return reportValidationError(error, io);
  }
};

/**
 * SHA-256 over everything the artifact is a function of: the templates, every source file under
 * compiler/ and functions/ (the schemas the OpenAPI document is generated from), this command,
 * and the lockfile (library versions change rendering).
 */
export const inputsFingerprint = (templatesDir: string): string => {
  const hash = createHash('sha256');
  const add = (label: string, path: string): void => {
    hash.update(`${label}\0${relative(REPOSITORY_ROOT, path)}\0`).update(readFileSync(path)).update('\0');
  };
  for (const path of filesUnder(resolve(templatesDir))) add('templates', path);
  for (const dir of ['compiler', 'functions']) {
    for (const path of filesUnder(join(REPOSITORY_ROOT, dir))) if (path.endsWith('.ts') || path.endsWith('.json')) add('code', path);
  }
  add('code', join(REPOSITORY_ROOT, 'bin/commands/build.ts'));
  const lockfile = join(REPOSITORY_ROOT, 'package-lock.json');
  if (existsSync(lockfile)) add('lock', lockfile);
  return hash.digest('hex');
};

/** Prints `file:line: message` per problem; anything that is not a validation error is rethrown. */
export const reportValidationError = (error: unknown, io: CommandIo): number => {
  if (!(error instanceof ContentValidationError)) throw error;
  for (const problem of error.problems) io.stderr(`${formatProblem(problem)}\n`);
  io.stderr(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the templates\n`);
  return 1;
};

const filesUnder = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...filesUnder(path));
    else files.push(path);
  }
  return files;
};

const readOptional = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Wires `build` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('build')
    .description('compile templates/ into .build/content.json (and content-index.json, templates.json beside it)')
    .option('-q, --quiet', 'print nothing unless something is wrong')
    .option('-f, --force', 'rebuild even if no input changed')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .option('--out <file>', 'artifact to write', DEFAULT_OUT_FILE)
    .action(async (options: BuildCommandOptions) => {
      process.exitCode = await runBuild(options);
    });
};
