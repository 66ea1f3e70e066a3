/**
 * Publication locks: `templates/notices/<id>/v<N>/published.lock.json`, written by `cli publish`,
 * records every variant's content hash and, per language and section, the hashes of its title and
 * text and its region. A version with a lock is published and immutable: the build compares it with
 * the lock and refuses any change with the file and line of the section that moved. A version
 * without one is a draft: validated, previewable with the CLI, never in a served artifact.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { CompiledVersion } from '../functions/core/content.ts';
import type { ProblemCollector } from './errors.ts';
import type { NoticeTree } from './source.ts';
import type { ValidVersion } from './validate.ts';

export const LOCK_FILE = 'published.lock.json';

/** How the content hash of a variant is computed, written into every lock and evidence report. */
export const CONTENT_HASH_RECIPE =
  'lowercase hex SHA-256 of the UTF-8 bytes of JSON.stringify({ noticeId, version, region, language, sections: [{ id, title, markdown }] }) ' +
  '(keys in that order; sections in document order: the common sections and the region\'s own; markdown is the section body as authored, trimmed)';

const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);
const lockSchema = z.object({
  noticeId: z.string(),
  version: z.number().int().positive(),
  effectiveDate: z.string(),
  publishedAt: z.string(),
  adopted: z.boolean(),
  recipe: z.string(),
  translations: z.record(
    z.string(),
    z.object({ sections: z.record(z.string(), z.object({ region: z.string().nullable(), title: hashSchema, text: hashSchema })) }),
  ),
  variants: z.record(z.string(), hashSchema),
});

export type PublicationLock = z.infer<typeof lockSchema>;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The lock of a compiled version as it stands: every language's sections are the union of its variants'. */
export const lockOf = (
  noticeId: string,
  compiled: CompiledVersion,
  meta: { readonly publishedAt: string; readonly adopted: boolean },
): PublicationLock => ({
  noticeId,
  version: compiled.version,
  effectiveDate: compiled.effectiveDate,
  publishedAt: meta.publishedAt,
  adopted: meta.adopted,
  recipe: CONTENT_HASH_RECIPE,
  translations: Object.fromEntries(
    compiled.languages.map((language) => {
      const sections: Record<string, { region: string | null; title: string; text: string }> = {};
      for (const variant of Object.values(compiled.variants)) {
        if (variant.language !== language) continue;
        for (const section of variant.sections) sections[section.id] = { region: section.region, title: sha256(section.title), text: sha256(section.markdown) };
      }
      return [language, { sections }];
    }),
  ),
  variants: Object.fromEntries(Object.entries(compiled.variants).map(([key, variant]) => [key, variant.contentHash])),
});

/** Serialised as committed: stable key order, two-space indent, final newline. */
export const serializeLock = (lock: PublicationLock): string => `${JSON.stringify(lock, null, 2)}\n`;

/** Parses a lock file; a malformed one is a problem of that file. */
export const parseLock = (path: string, content: string, problems: ProblemCollector): PublicationLock | undefined => {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch {
    problems.add(path, 1, 'the publication lock is not valid JSON: restore it from version control');
    return undefined;
  }
  const parsed = lockSchema.safeParse(raw);
  if (!parsed.success) {
    problems.add(path, 1, `the publication lock is malformed (${parsed.error.issues[0]?.path.join('.') || 'root'}): restore it from version control`);
    return undefined;
  }
  return parsed.data;
};

/** `<notice dir>/v<N>/published.lock.json`. */
export const lockPath = (tree: NoticeTree, version: number): string => join(tree.dir, `v${version}`, LOCK_FILE);

/**
 * Compares a published version with its lock. Every difference is a problem at the place the
 * author changed: the section heading's line in `<lang>.md`, the effective date's line in version.yaml.
 */
export const checkLock = (
  lock: PublicationLock,
  where: { readonly lockFile: string; readonly versionFile: string; readonly effectiveDateLine: number },
  valid: ValidVersion,
  compiled: CompiledVersion,
  problems: ProblemCollector,
): void => {
  const before = problems.count;
  const published = `version ${valid.version} is published (${LOCK_FILE}) and cannot change`;
  if (lock.version !== valid.version) problems.add(where.lockFile, 1, `the lock names version ${lock.version}, but lies in v${valid.version}/`);
  if (lock.effectiveDate !== valid.effectiveDate) {
    problems.add(where.versionFile, where.effectiveDateLine, `${published}: effectiveDate was ${lock.effectiveDate}, is ${valid.effectiveDate}`);
  }
  for (const translation of valid.translations) {
    const locked = lock.translations[translation.language];
    if (!locked) {
      problems.add(translation.file, 1, `${published}: language '${translation.language}' was not in it (add it by publishing again with --adopt)`);
      continue;
    }
    for (const section of translation.sections) {
      const entry = locked.sections[section.id];
      if (!entry) {
        problems.add(translation.file, section.line, `${published}: section '${section.id}' was added`);
        continue;
      }
      const changed = [
        entry.title !== sha256(section.title) ? 'title' : undefined,
        entry.text !== sha256(section.markdown) ? 'text' : undefined,
        entry.region !== section.region ? `region (was ${entry.region ?? 'common'})` : undefined,
      ].filter((part) => part !== undefined);
      if (changed.length > 0) problems.add(translation.file, section.line, `${published}: section '${section.id}' changed its ${changed.join(', ')}`);
    }
    const present = new Set(translation.sections.map((section) => section.id));
    for (const id of Object.keys(locked.sections)) {
      if (!present.has(id)) problems.add(translation.file, 1, `${published}: section '${id}' was removed`);
    }
  }
  const languages = new Set(valid.translations.map((translation) => translation.language));
  for (const language of Object.keys(lock.translations)) {
    if (!languages.has(language)) problems.add(where.lockFile, 1, `${published}: language '${language}' was removed (${language}.md is missing)`);
  }
  if (problems.count > before) return;
  // The section hashes agree, yet a variant may still differ (sections reordered, a region added to the catalogue).
  for (const [key, hash] of Object.entries(lock.variants)) {
    const variant = compiled.variants[key];
    if (!variant) problems.add(where.lockFile, 1, `${published}: variant ${key} is no longer built`);
    else if (variant.contentHash !== hash) problems.add(where.lockFile, 1, `${published}: variant ${key} now hashes to ${variant.contentHash.slice(0, 12)}…, locked ${hash.slice(0, 12)}… (sections reordered?)`);
  }
  for (const key of Object.keys(compiled.variants)) {
    if (!(key in lock.variants) && lock.translations[compiled.variants[key]!.language]) {
      problems.add(where.lockFile, 1, `${published}: variant ${key} is new (a region added to the catalogue? publish again with --adopt)`);
    }
  }
};
