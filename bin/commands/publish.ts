/**
 * `publish <notice> <version> [--adopt] [--notice-period-days N] [--templates dir]`: validate a draft
 * version and lock it (`templates/notices/<notice>/v<N>/published.lock.json`, committed beside it).
 *
 * Refused: a version whose effective date is not in the future (it would be "latest" before anyone
 * was told), a change that lowers protection with less than the notice period (default 30 days)
 * before its effective date, and a version whose predecessor is still a draft.
 * `--adopt` locks the texts as they stand without the date rules: for a version already in force
 * (its texts are already deployed), and to add a language or region to a published version's lock;
 * even then every variant already locked must keep its hash.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildContent } from '../../compiler/build.ts';
import { LOCK_FILE, lockOf, serializeLock } from '../../compiler/lock.ts';
import { systemClock, type Clock } from '../../functions/core/clock.ts';
import { effectiveAt } from '../../functions/core/versions.ts';
import { DEFAULT_TEMPLATES_DIR, processIo, reportValidationError, type CommandIo } from './build.ts';

export const DEFAULT_NOTICE_PERIOD_DAYS = 30;
const DAY_MS = 86_400_000;

export interface PublishCommandOptions {
  readonly adopt?: boolean;
  readonly noticePeriodDays?: string;
  readonly templates?: string;
}

/** Returns the exit code: 0 published (or already published as it stands), 1 refused. */
export const runPublish = (noticeId: string, versionArg: string, options: PublishCommandOptions, io: CommandIo = processIo, deps: { clock?: Clock } = {}): number => {
  const templatesDir = options.templates ?? DEFAULT_TEMPLATES_DIR;
  const now = (deps.clock ?? systemClock).now();
  if (!/^[1-9]\d{0,5}$/.test(versionArg)) return fail(io, `the version is a positive integer, not '${versionArg}'`);
  const periodArg = options.noticePeriodDays ?? process.env['DISCLOSURE_NOTICE_PERIOD_DAYS'] ?? String(DEFAULT_NOTICE_PERIOD_DAYS);
  if (!/^\d{1,4}$/.test(periodArg)) return fail(io, `--notice-period-days is a whole number of days, not '${periodArg}'`);
  const noticePeriodDays = Number(periodArg);
  const version = Number(versionArg);
  const lockFile = join(templatesDir, 'notices', noticeId, `v${version}`, LOCK_FILE);
  const existing = existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as { variants?: Record<string, string> }) : undefined;

  let content;
  try {
    content = buildContent({ templatesDir, drafts: 'include', ...(options.adopt ? { unlocked: new Set([`${noticeId}/v${version}`]) } : {}) });
  } catch (error) {
    return reportValidationError(error, io);
  }
  const notice = content.notices.find((candidate) => candidate.noticeId === noticeId);
  if (!notice) return fail(io, `unknown notice '${noticeId}' (known: ${content.notices.map((n) => n.noticeId).join(', ')})`);
  const compiled = notice.versions.find((candidate) => candidate.version === version);
  if (!compiled) return fail(io, `${noticeId} has no version ${version} (v1..v${notice.versions.length})`);

  if (existing && !options.adopt) {
    io.stdout(`${noticeId} v${version} is already published (${lockFile}); its texts match the lock\n`);
    return 0;
  }
  if (version > 1 && !existsSync(join(templatesDir, 'notices', noticeId, `v${version - 1}`, LOCK_FILE))) {
    return fail(io, `${noticeId} v${version - 1} is still a draft: publish it first`);
  }
  if (existing && options.adopt) {
    // Adopting over a lock may add variants (a new language), never change or drop one.
    for (const [key, hash] of Object.entries(existing.variants ?? {})) {
      const now = compiled.variants[key]?.contentHash;
      if (now !== hash) return fail(io, `${noticeId} v${version} is published: variant ${key} ${now === undefined ? 'is gone' : 'changed'}; a published text never changes (write a new version)`);
    }
  }
  if (!options.adopt) {
    const effective = effectiveAt(compiled);
    if (effective <= now.getTime()) {
      return fail(io, `${noticeId} v${version}: effectiveDate ${compiled.effectiveDate} is not in the future, so it would be in force before anyone is told; set a later date (or --adopt a version already in force)`);
    }
    const lowering = compiled.changes.filter((change) => change.effect === 'lowers');
    const daysAhead = (effective - now.getTime()) / DAY_MS;
    if (lowering.length > 0 && daysAhead < noticePeriodDays) {
      return fail(
        io,
        `${noticeId} v${version}: ${lowering.map((change) => change.sectionId).join(', ')} lower${lowering.length === 1 ? 's' : ''} protection, ` +
          `so the effective date must be at least ${noticePeriodDays} days ahead; ${compiled.effectiveDate} is ${Math.floor(daysAhead)} day(s) away`,
      );
    }
  }
  const lock = lockOf(noticeId, compiled, { publishedAt: now.toISOString(), adopted: options.adopt === true });
  writeFileSync(lockFile, serializeLock(lock));
  io.stdout(
    `published ${noticeId} v${version}${options.adopt ? ' (adopted)' : ''}: ${Object.keys(lock.variants).length} variants locked in ${lockFile}; commit it\n`,
  );
  return 0;
};

const fail = (io: CommandIo, message: string): number => {
  io.stderr(`error: ${message}\n`);
  return 1;
};

/** Wires `publish` into the CLI. */
export const register = (program: Command): void => {
  program
    .command('publish')
    .description('validate a draft version and lock every variant (published.lock.json beside it)')
    .argument('<notice>', 'notice id, e.g. privacy')
    .argument('<version>', 'version number, e.g. 3')
    .option('--adopt', 'lock a version already in force (its texts already deployed) or add a language to a lock; skips the date rules, never changes a locked variant')
    .option('--notice-period-days <days>', `minimum days between publishing a lowering change and its effective date (default ${DEFAULT_NOTICE_PERIOD_DAYS}, or DISCLOSURE_NOTICE_PERIOD_DAYS)`)
    .option('--templates <dir>', 'templates directory', DEFAULT_TEMPLATES_DIR)
    .action((noticeId: string, version: string, options: PublishCommandOptions) => {
      process.exitCode = runPublish(noticeId, version, options);
    });
};
