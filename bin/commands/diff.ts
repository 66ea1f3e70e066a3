/** `diff <notice> <from> <to> [--region] [--lang] [--json]`: what changed between two versions of a variant. */
import type { Command } from 'commander';
import { diffLines } from 'diff';
import { buildContent } from '../../compiler/build.ts';
import { diffVersions, type SectionDiff, type VersionDiff } from '../../functions/content/diff.ts';
import { ContentValidationError } from '../../compiler/errors.ts';
import type { CompiledContent, DeclaredChange } from '../../functions/core/content.ts';
import { DisclosureError } from '../../functions/core/errors.ts';
import { DEFAULT_TEMPLATES_DIR, processIo, reportValidationError, type CommandIo } from './build.ts';

export interface DiffCommandOptions {
  readonly region?: string;
  readonly lang?: string;
  readonly json?: boolean;
  readonly templates?: string;
}

/** Returns the exit code: 0 printed, 1 unknown notice/version/variant or invalid templates. */
export const runDiff = (
  noticeId: string,
  from: string,
  to: string,
  options: DiffCommandOptions,
  io: CommandIo = processIo,
  content?: CompiledContent,
): number => {
  try {
    const compiled = content ?? buildContent({ templatesDir: options.templates ?? DEFAULT_TEMPLATES_DIR });
    const notice = compiled.notices.find((candidate) => candidate.noticeId === noticeId);
    if (!notice) return fail(io, `unknown notice '${noticeId}' (known: ${compiled.notices.map((n) => n.noticeId).join(', ')})`);
    const fromVersion = parseVersionNumber(from);
    const toVersion = parseVersionNumber(to);
    if (fromVersion === undefined || toVersion === undefined) return fail(io, 'versions are positive integers, e.g. `diff privacy 1 2`');
    const region = options.region ?? 'global';
    if (!notice.regions.includes(region)) return fail(io, `notice '${noticeId}' is not served in region '${region}' (regions: ${notice.regions.join(', ')})`);
    const language = options.lang ?? notice.defaultLanguage;
    const diff = diffVersions(notice, fromVersion, toVersion, region, language);
    io.stdout(options.json ? `${JSON.stringify(diff, null, 2)}\n` : formatDiff(diff));
    return 0;
  } catch (error) {
    if (error instanceof DisclosureError && !(error instanceof ContentValidationError)) return fail(io, error.message);
    return reportValidationError(error, io);
  }
};

/** The human-readable diff: one line per section, then a line-level diff of each changed one. */
export const formatDiff = (diff: VersionDiff): string => {
  const lines = [
    `${diff.noticeId} v${diff.from} (${diff.fromEffectiveDate}) -> v${diff.to} (${diff.toEffectiveDate}), region ${diff.region}, language ${diff.language}`,
    '',
  ];
  const width = Math.max(...diff.sections.map((section) => section.id.length));
  for (const section of diff.sections) {
    lines.push(`${section.status.padEnd(9)}  ${section.id.padEnd(width)}  ${section.title}${describeChange(section.change)}`);
  }
  const undeclared = diff.sections.filter((section) => section.status !== 'unchanged' && section.changes.length === 0);
  if (undeclared.length > 0) lines.push('', `note: no declared change for ${undeclared.map((s) => s.id).join(', ')}`);
  for (const section of diff.sections.filter((candidate) => candidate.status !== 'unchanged')) {
    lines.push('', `@@ ${section.id} (${section.status}) @@`);
    for (const change of section.changes) lines.push(`# ${change.summary[diff.language] ?? ''}`);
    if (section.previousTitle !== undefined) lines.push(`- ## ${section.previousTitle}`, `+ ## ${section.title}`);
    lines.push(...lineDiff(section));
  }
  return `${lines.join('\n')}\n`;
};

const describeChange = (change: DeclaredChange | null): string => {
  if (!change) return '';
  const detail = change.kind === 'material' ? `material, ${change.effect}, ${change.scope}` : 'editorial';
  const choices = change.choices ? `; choices: ${change.choices.join(', ')}` : '';
  return `  [${detail}${choices}]`;
};

const lineDiff = (section: SectionDiff): string[] => {
  const output: string[] = [];
  for (const part of diffLines(withNewline(section.before ?? ''), withNewline(section.after ?? ''))) {
    const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) output.push(`${prefix}${line}`.trimEnd());
  }
  return output;
};

const withNewline = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

const parseVersionNumber = (value: string): number | undefined => (/^[1-9]\d{0,5}$/.test(value) ? Number(value) : undefined);

const fail = (io: CommandIo, message: string): number => {
  io.stderr(`error: ${message}\n`);
  return 1;
};

/** Wires `diff` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('diff')
    .description('section-level differences between two versions of a notice')
    .argument('<notice>', 'notice id, e.g. privacy')
    .argument('<from>', 'older version number')
    .argument('<to>', 'newer version number')
    .option('--region <region>', 'region variant (global, eea, ca, …)', 'global')
    .option('--lang <language>', "language (default: the notice's default language)")
    .option('--json', 'print the diff as JSON (the shape the API serves)')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action((noticeId: string, from: string, to: string, options: DiffCommandOptions) => {
      process.exitCode = runDiff(noticeId, from, to, options);
    });
};
