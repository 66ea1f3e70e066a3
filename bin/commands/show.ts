/**
 * `show <notice> [--country] [--region] [--lang] [--version] [--format json|html|md] [--at YYYY-MM-DD]`:
 * print the variant a caller would be served, resolved by the same pure core as the API.
 */
import type { Command } from 'commander';
import { buildContent } from '../../compiler/build.ts';
import { ContentValidationError } from '../../compiler/errors.ts';
import { variantKey, type CompiledContent } from '../../functions/core/content.ts';
import { systemClock, type Clock } from '../../functions/core/clock.ts';
import { DisclosureError } from '../../functions/core/errors.ts';
import { negotiateLanguage } from '../../functions/core/language.ts';
import { resolveRegion } from '../../functions/core/regions.ts';
import { selectVersion } from '../../functions/core/versions.ts';
import { DEFAULT_TEMPLATES_DIR, processIo, reportValidationError, type CommandIo } from './build.ts';

export type ShowFormat = 'json' | 'html' | 'md';

export interface ShowCommandOptions {
  readonly country?: string;
  readonly region?: string;
  readonly lang?: string;
  readonly version?: string;
  readonly format?: string;
  /** `YYYY-MM-DD`: resolve "latest" as of 00:00 UTC that day instead of now. */
  readonly at?: string;
  readonly templates?: string;
  /** Include drafts (versions not yet published): a preview, never what is served. */
  readonly draft?: boolean;
}

/** Returns the exit code: 0 printed, 1 bad input, unknown notice/version or invalid templates. */
export const runShow = (
  noticeId: string,
  options: ShowCommandOptions,
  io: CommandIo = processIo,
  deps: { clock?: Clock; content?: CompiledContent } = {},
): number => {
  try {
    const format = (options.format ?? 'json') as ShowFormat;
    if (!['json', 'html', 'md'].includes(format)) return fail(io, `--format is json, html or md, not '${options.format}'`);
    if (options.at !== undefined && !isIsoDate(options.at)) return fail(io, `--at is a date written YYYY-MM-DD, not '${options.at}'`);
    if (options.version !== undefined && !/^[1-9]\d{0,5}$/.test(options.version)) return fail(io, `--version is a positive integer, not '${options.version}'`);

    const content = deps.content ?? buildContent({ templatesDir: options.templates ?? DEFAULT_TEMPLATES_DIR, drafts: options.draft ? 'include' : 'exclude' });
    const notice = content.notices.find((candidate) => candidate.noticeId === noticeId);
    if (!notice) return fail(io, `unknown notice '${noticeId}' (known: ${content.notices.map((n) => n.noticeId).join(', ')})`);

    const now = options.at !== undefined ? new Date(`${options.at}T00:00:00Z`) : (deps.clock ?? systemClock).now();
    const version = selectVersion(notice, { ...(options.version !== undefined ? { version: Number(options.version) } : {}), now });
    const [country, subdivision] = splitCountry(options.country);
    const { region, source } = resolveRegion(
      { ...(options.region !== undefined ? { region: options.region } : {}), ...(country ? { country } : {}), ...(subdivision ? { subdivision } : {}) },
      content.catalogue,
      notice.regions,
    );
    const language = negotiateLanguage(options.lang !== undefined ? { lang: options.lang } : {}, version.languages, notice.defaultLanguage);
    const variant = version.variants[variantKey(region, language)];
    if (!variant) return fail(io, `version ${version.version} has no ${language} variant for region ${region}`);

    io.stderr(`${noticeId} v${version.version} (effective ${version.effectiveDate}), region ${region} (from ${source}), language ${language}, contentHash ${variant.contentHash}\n`);
    io.stdout(format === 'json' ? `${variant.json}\n` : format === 'html' ? variant.html : variant.markdown);
    return 0;
  } catch (error) {
    if (error instanceof DisclosureError && !(error instanceof ContentValidationError)) return fail(io, error.message);
    return reportValidationError(error, io);
  }
};

/** `--country CA-QC` carries a subdivision; `--country DE` only a country. */
const splitCountry = (value: string | undefined): [string | undefined, string | undefined] => {
  if (value === undefined) return [undefined, undefined];
  const dash = value.indexOf('-');
  return dash === -1 ? [value, undefined] : [value.slice(0, dash), value];
};

const isIsoDate = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

const fail = (io: CommandIo, message: string): number => {
  io.stderr(`error: ${message}\n`);
  return 1;
};

/** Wires `show` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('show')
    .description('print the variant a caller would be served')
    .argument('<notice>', 'notice id, e.g. privacy')
    .option('--country <code>', 'ISO 3166-1 country (DE) or ISO 3166-2 subdivision (CA-QC)')
    .option('--region <region>', 'region, wins over --country (global, eea, ca, jp, kr)')
    .option('--lang <language>', 'language tag (ja, ja-JP, en)')
    .option('--version <number>', 'version number (default: the latest in force)')
    .option('--format <format>', 'json, html or md', 'json')
    .option('--at <date>', 'resolve the latest version as of this date (YYYY-MM-DD)')
    .option('--draft', 'include draft versions (not yet published): a preview of what publish would serve')
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action((noticeId: string, options: ShowCommandOptions) => {
      process.exitCode = runShow(noticeId, options);
    });
};
