/**
 * Section-level differences between two versions of one variant. Pure and free of libraries: the
 * notices Lambda runs it per request (`GET /v1/notices/{id}/diff`).
 */
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { variantKey, type CompiledNotice, type CompiledSection, type DeclaredChange, type RegionId } from '../core/content.ts';

export type SectionStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface SectionDiff {
  readonly id: string;
  readonly region: RegionId | null;
  readonly status: SectionStatus;
  /** The title in `to` (in `from` for a removed section). */
  readonly title: string;
  /** The title in `from` when it differs from `title`. */
  readonly previousTitle?: string;
  /** Markdown body in `from`; null when the section was added. */
  readonly before: string | null;
  /** Markdown body in `to`; null when the section was removed. */
  readonly after: string | null;
  /** The latest declared change to this section in (from, to]; null when none was declared. */
  readonly change: DeclaredChange | null;
  /** Every declared change to this section in (from, to], oldest first. */
  readonly changes: readonly DeclaredChange[];
}

export interface VersionDiff {
  readonly noticeId: string;
  readonly from: number;
  readonly to: number;
  readonly fromEffectiveDate: string;
  readonly toEffectiveDate: string;
  readonly region: RegionId;
  readonly language: string;
  /** In `to`'s order; a removed section appears where it stood in `from`. */
  readonly sections: readonly SectionDiff[];
}

/** Compares the `region`/`language` variant of version `from` with that of version `to`. */
export const diffVersions = (notice: CompiledNotice, from: number, to: number, region: RegionId, language: string): VersionDiff => {
  if (from > to) {
    throw new InvalidInputError('from must not be after to', [{ path: 'from', message: `version ${from} is after version ${to}` }]);
  }
  const older = findVersion(notice, from);
  const newer = findVersion(notice, to);
  const key = variantKey(region, language);
  const before = older.variants[key];
  const after = newer.variants[key];
  if (!before || !after) {
    const missing = before ? to : from;
    throw new NotFoundError(`version ${missing} of notice ${notice.noticeId} has no ${language} variant for region ${region}`);
  }

  const changesBySection = new Map<string, DeclaredChange[]>();
  for (const version of notice.versions) {
    if (version.version <= from || version.version > to) continue;
    for (const change of version.changes) {
      changesBySection.set(change.sectionId, [...(changesBySection.get(change.sectionId) ?? []), change]);
    }
  }
  const describe = (id: string, previous: CompiledSection | undefined, current: CompiledSection | undefined): SectionDiff => {
    const changes = changesBySection.get(id) ?? [];
    const shown = (current ?? previous) as CompiledSection;
    const status: SectionStatus = !previous
      ? 'added'
      : !current
        ? 'removed'
        : previous.title === current.title && previous.markdown === current.markdown
          ? 'unchanged'
          : 'changed';
    return {
      id,
      region: shown.region,
      status,
      title: shown.title,
      ...(previous && current && previous.title !== current.title ? { previousTitle: previous.title } : {}),
      before: previous?.markdown ?? null,
      after: current?.markdown ?? null,
      change: changes[changes.length - 1] ?? null,
      changes,
    };
  };

  const sections: SectionDiff[] = after.sections.map((section) =>
    describe(section.id, before.sections.find((candidate) => candidate.id === section.id), section),
  );
  // Put each removed section right after the section that preceded it in `from`.
  before.sections.forEach((section, index) => {
    if (after.sections.some((candidate) => candidate.id === section.id)) return;
    let insertAt = 0;
    for (let back = index - 1; back >= 0; back -= 1) {
      const anchor = sections.findIndex((candidate) => candidate.id === before.sections[back]?.id);
      if (anchor !== -1) {
        insertAt = anchor + 1;
        break;
      }
    }
    sections.splice(insertAt, 0, describe(section.id, section, undefined));
  });

  return {
    noticeId: notice.noticeId,
    from,
    to,
    fromEffectiveDate: older.effectiveDate,
    toEffectiveDate: newer.effectiveDate,
    region,
    language,
    sections,
  };
};

const findVersion = (notice: CompiledNotice, version: number) => {
  const found = notice.versions.find((candidate) => candidate.version === version);
  if (!found) throw new NotFoundError(`notice ${notice.noticeId} has no version ${version}`);
  return found;
};
