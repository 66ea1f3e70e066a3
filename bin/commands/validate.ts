/** `validate [--templates dir]`: check the templates without writing anything; exit 1 with `file:line: message` lines. */
import type { Command } from 'commander';
import { buildContent } from '../../compiler/build.ts';
import { DEFAULT_TEMPLATES_DIR, processIo, reportValidationError, type CommandIo } from './build.ts';

/** Returns the exit code: 0 valid, 1 with every problem printed to stderr. */
export const runValidate = (options: { readonly templates?: string }, io: CommandIo = processIo): number => {
  const templatesDir = options.templates ?? DEFAULT_TEMPLATES_DIR;
  try {
    const content = buildContent({ templatesDir });
    const versions = content.notices.reduce((sum, notice) => sum + notice.versions.length, 0);
    io.stdout(`${templatesDir} is valid: ${content.notices.length} notice(s), ${versions} version(s), ${content.catalogue.regions.length} region(s) in the catalogue\n`);
    return 0;
  } catch (error) {
    return reportValidationError(error, io);
  }
};

/** Wires `validate` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('validate')
    .description('check templates/ and report every problem with file and line')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action((options: { templates?: string }) => {
      process.exitCode = runValidate(options);
    });
};
