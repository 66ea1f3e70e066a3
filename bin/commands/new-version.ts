/**
 * `new-version <notice> [--templates dir]`: scaffold `v<N+1>/` from the latest version: every
 * language's text copied, and a `version.yaml` whose effective date is a placeholder (validate
 * refuses it until it is set) and which lists every section, commented out, for the author to
 * declare the ones they change. The new version is a draft until `publish` locks it; only a
 * published version is scaffolded from (one draft at a time).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EFFECTIVE_DATE_PLACEHOLDER } from '../../compiler/schemas.ts';
import { parseNoticeMarkdown } from '../../compiler/parse-markdown.ts';
import { ProblemCollector } from '../../compiler/errors.ts';
import { LOCK_FILE } from '../../compiler/lock.ts';
import { DEFAULT_TEMPLATES_DIR, processIo, type CommandIo } from './build.ts';
import { DEFAULT_NOTICE_PERIOD_DAYS } from './publish.ts';

const TRANSLATION_FILE = /^([a-z]{2,3})\.md$/;

/** Returns the exit code: 0 scaffolded, 1 refused (unknown notice, or the templates are not readable). */
export const runNewVersion = (noticeId: string, options: { readonly templates?: string }, io: CommandIo = processIo): number => {
  const templatesDir = options.templates ?? DEFAULT_TEMPLATES_DIR;
  const noticeDir = join(templatesDir, 'notices', noticeId);
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(noticeId) || !existsSync(join(noticeDir, 'notice.yaml'))) {
    return fail(io, `unknown notice '${noticeId}' (no ${join(noticeDir, 'notice.yaml')})`);
  }
  const numbers = readdirSync(noticeDir)
    .map((entry) => /^v([1-9]\d*)$/.exec(entry)?.[1])
    .filter((number): number is string => number !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const latest = numbers.at(-1);
  if (latest === undefined) return fail(io, `${noticeId} has no version to start from (no v1/ in ${noticeDir})`);
  const from = join(noticeDir, `v${latest}`);
  const to = join(noticeDir, `v${latest + 1}`);
  if (existsSync(to)) return fail(io, `${to} already exists`);
  // One draft at a time: publish locks versions in order, so a second draft could not be published first.
  if (!existsSync(join(from, LOCK_FILE))) return fail(io, `${noticeId} v${latest} is still a draft (no ${LOCK_FILE}): finish and publish it before starting v${latest + 1}`);

  const languages = readdirSync(from)
    .map((entry) => TRANSLATION_FILE.exec(entry)?.[1])
    .filter((language): language is string => language !== undefined)
    .sort();
  if (languages.length === 0) return fail(io, `${from} has no <lang>.md to copy`);
  // The sections come from the text itself; a broken text is validate's to report, not ours.
  const problems = new ProblemCollector();
  // The titles in the comments are the default language's (notice.yaml), else the first language's.
  const defaultLanguage = /^defaultLanguage:\s*([a-z]{2,3})\s*$/m.exec(readFileSync(join(noticeDir, 'notice.yaml'), 'utf8'))?.[1];
  const reference = defaultLanguage && languages.includes(defaultLanguage) ? defaultLanguage : languages[0]!;
  const sections = parseNoticeMarkdown(join(from, `${reference}.md`), readFileSync(join(from, `${reference}.md`), 'utf8'), problems);
  if (problems.count > 0) return fail(io, `${join(from, `${reference}.md`)} does not parse; run \`npm run cli -- validate\` first`);

  mkdirSync(to);
  for (const language of languages) copyFileSync(join(from, `${language}.md`), join(to, `${language}.md`));
  writeFileSync(join(to, 'version.yaml'), versionYaml(noticeId, latest, languages, sections));
  io.stdout(
    `scaffolded ${to} from v${latest} (${languages.join(', ')}): set effectiveDate in ${join(to, 'version.yaml')}, edit the texts in every language, ` +
      `declare each section you change there, then \`npm run cli -- validate\` and \`npm run cli -- publish ${noticeId} ${latest + 1}\`\n`,
  );
  return 0;
};

const versionYaml = (noticeId: string, previous: number, languages: readonly string[], sections: readonly { id: string; title: string; region: string | null }[]): string => {
  const summary = `{ ${languages.map((language) => `${language}: ""`).join(', ')} }`;
  const width = Math.max(...sections.map((section) => section.id.length)) + 1;
  const lines = [
    `# Version ${previous + 1} of ${noticeId}, scaffolded from v${previous} by \`npm run cli -- new-version ${noticeId}\`.`,
    '#',
    '# 1. effectiveDate: the day this version takes effect (in force from 00:00 UTC). validate refuses the',
    '#    placeholder; publish refuses a date that is not in the future, and a change that lowers protection',
    `#    less than the notice period (${DEFAULT_NOTICE_PERIOD_DAYS} days unless configured) ahead.`,
    '# 2. Edit the texts (every language: a change made in one language only is refused).',
    '# 3. For each section you changed, uncomment its entry below and classify it; leave the others',
    '#    commented out (validate refuses an undeclared edit, and a declared section that did not change).',
    `effectiveDate: ${EFFECTIVE_DATE_PLACEHOLDER}`,
    'changes:',
  ];
  for (const section of sections) {
    lines.push(
      `  # ${`${section.id}:`.padEnd(width)}  # ${section.title}${section.region ? ` (region ${section.region})` : ' (common)'}`,
      '  #   kind: editorial      # editorial | material',
      '  #   effect: neutral      # material only: raises | neutral | lowers',
      '  #   scope: new-data      # material only: new-data | previously-collected',
      `  #   summary: ${summary}`,
    );
  }
  return `${lines.join('\n')}\n`;
};

const fail = (io: CommandIo, message: string): number => {
  io.stderr(`error: ${message}\n`);
  return 1;
};

/** Wires `new-version` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('new-version')
    .description('scaffold the next version of a notice from its latest (texts copied, version.yaml listing every section)')
    .argument('<notice>', 'notice id, e.g. privacy')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action((noticeId: string, options: { templates?: string }) => {
      process.exitCode = runNewVersion(noticeId, options);
    });
};
