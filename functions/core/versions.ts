/**
 * Version selection, pure: "latest" is the newest version whose effective date (00:00 UTC) has
 * passed at `now`; any published version can be fetched by number, even ahead of its date.
 */
import type { CompiledNotice, CompiledVersion } from './content.ts';
import { NotFoundError } from './errors.ts';

/** The instant (ms since epoch) a version takes effect: 00:00:00 UTC of its effective date. */
export const effectiveAt = (version: Pick<CompiledVersion, 'effectiveDate'>): number =>
  Date.parse(`${version.effectiveDate}T00:00:00.000Z`);

/** True once `version` is in force at `now`. */
export const isInForce = (version: Pick<CompiledVersion, 'effectiveDate'>, now: Date): boolean =>
  effectiveAt(version) <= now.getTime();

/** The newest version in force at `now`, or undefined before the first effective date. */
export const latestVersion = (notice: CompiledNotice, now: Date): CompiledVersion | undefined => {
  for (let index = notice.versions.length - 1; index >= 0; index -= 1) {
    const version = notice.versions[index]!;
    if (isInForce(version, now)) return version;
  }
  return undefined;
};

/** The instant the next version takes effect after `now`, when one is published ahead. */
export const nextEffectiveAt = (notice: CompiledNotice, now: Date): number | undefined => {
  const instant = now.getTime();
  let next: number | undefined;
  for (const version of notice.versions) {
    const at = effectiveAt(version);
    if (at > instant && (next === undefined || at < next)) next = at;
  }
  return next;
};

/** The version asked for by number, or the latest in force; `NotFoundError` when there is none. */
export const selectVersion = (notice: CompiledNotice, input: { version?: number; now: Date }): CompiledVersion => {
  if (input.version !== undefined) {
    const pinned = notice.versions.find((candidate) => candidate.version === input.version);
    if (!pinned) throw new NotFoundError(`notice ${notice.noticeId} has no version ${input.version}`);
    return pinned;
  }
  const latest = latestVersion(notice, input.now);
  if (!latest) throw new NotFoundError(`no version of notice ${notice.noticeId} is in force yet`);
  return latest;
};
