/** `build [--quiet] [--templates dir] [--out file]`: compile templates/ into .build/content.json. */
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { buildContent, writeContentArtifact } from '../../functions/content/build.ts';
import { ContentValidationError, formatProblem } from '../../functions/content/errors.ts';

export const DEFAULT_TEMPLATES_DIR = 'templates';
export const DEFAULT_OUT_FILE = '.build/content.json';

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
  readonly templates?: string;
  readonly out?: string;
}

/** Runs the build and returns the exit code: 0 built, 1 the templates are invalid. */
export const runBuild = (options: BuildCommandOptions, io: CommandIo = processIo): number => {
  const started = performance.now();
  const outFile = options.out ?? DEFAULT_OUT_FILE;
  try {
    const content = buildContent({ templatesDir: options.templates ?? DEFAULT_TEMPLATES_DIR });
    const wrote = writeContentArtifact(content, outFile);
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

/** Prints `file:line: message` per problem; anything that is not a validation error is rethrown. */
export const reportValidationError = (error: unknown, io: CommandIo): number => {
  if (!(error instanceof ContentValidationError)) throw error;
  for (const problem of error.problems) io.stderr(`${formatProblem(problem)}\n`);
  io.stderr(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the templates\n`);
  return 1;
};

/** Wires `build` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('build')
    .description('compile templates/ into .build/content.json')
    .option('-q, --quiet', 'print nothing unless something is wrong')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .option('--out <file>', 'artifact to write', DEFAULT_OUT_FILE)
    .action((options: BuildCommandOptions) => {
      process.exitCode = runBuild(options);
    });
};
