/**
 * Cache-Control for notices. A version pinned by number never changes, so it is immutable; the
 * latest is cached briefly and never past the instant the next version takes effect, so no cache
 * can serve the old text as "latest" once the new one is in force.
 */
import type { CompiledNotice } from '../core/content.ts';
import { nextEffectiveAt } from '../core/versions.ts';

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** How long "latest" may be cached when no new version is close. */
export const LATEST_MAX_AGE_SECONDS = 300;

export interface CachePolicy {
  readonly cacheControl: string;
  /** Epoch ms until which this header (and a response memoised with it) stays correct. */
  readonly validUntil: number;
}

/** The immutable policy of a version pinned by number (or any response that never changes). */
export const immutablePolicy: CachePolicy = { cacheControl: IMMUTABLE_CACHE_CONTROL, validUntil: Infinity };

/** The policy for a response that depends on which version is latest at `now`. */
export const latestPolicy = (notice: CompiledNotice, now: Date): CachePolicy => {
  const instant = now.getTime();
  const next = nextEffectiveAt(notice, now);
  const fullAge = LATEST_MAX_AGE_SECONDS * 1000;
  if (next === undefined) return { cacheControl: `public, max-age=${LATEST_MAX_AGE_SECONDS}`, validUntil: Infinity };
  // The full max-age stays correct until `next - fullAge`; closer than that, count down: the
  // header is reused for up to one second, so it promises one second less than what remains.
  if (next - instant > fullAge) return { cacheControl: `public, max-age=${LATEST_MAX_AGE_SECONDS}`, validUntil: next - fullAge };
  const seconds = Math.max(0, Math.floor((next - instant) / 1000) - 1);
  return {
    cacheControl: seconds === 0 ? 'public, max-age=0, must-revalidate' : `public, max-age=${seconds}`,
    validUntil: Math.min(next, instant + 1000),
  };
};

/**
 * The policy of an answer for a given instant (`?at=`): it does not change as time passes, only
 * when content is deployed (a new version for a future instant), so it is cached as briefly as
 * "latest" and memoised for good.
 */
export const atPolicy: CachePolicy = { cacheControl: `public, max-age=${LATEST_MAX_AGE_SECONDS}`, validUntil: Infinity };
