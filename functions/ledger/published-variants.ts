/**
 * What the ledger needs from the compiled content: which variants are published and their hashes,
 * and which version is latest. Typed structurally so the full `CompiledContent` or the slim
 * `ContentIndex` (what the Lambdas bundle) both fit.
 */
import type { DeclaredChange, IndexedNotice } from '../core/content.ts';
import { isInForce } from '../core/versions.ts';

export interface PublishedVersion {
  readonly version: number;
  readonly effectiveDate: string;
  readonly changes: readonly DeclaredChange[];
  readonly variants: Readonly<Record<string, { readonly contentHash: string }>>;
}

export interface PublishedNotice {
  readonly noticeId: string;
  readonly versions: readonly PublishedVersion[];
}

export interface PublishedContent {
  readonly notices: readonly PublishedNotice[];
}

/** The published notice, or undefined. */
export const findNotice = (content: PublishedContent, noticeId: string): PublishedNotice | undefined =>
  content.notices.find((notice) => notice.noticeId === noticeId);

/** The content hash of a published variant, or undefined if that version/region/language is not published. */
export const publishedHash = (
  content: PublishedContent,
  ref: { noticeId: string; version: number; region: string; language: string },
): string | undefined =>
  findNotice(content, ref.noticeId)
    ?.versions.find((v) => v.version === ref.version)
    ?.variants[`${ref.region}/${ref.language}`]?.contentHash;

/** The newest version in force at `now`, or undefined if none is yet. */
export const latestVersionAt = (notice: PublishedNotice, now: Date): PublishedVersion | undefined =>
  notice.versions.filter((version) => isInForce(version, now)).at(-1);

/** A slim copy of the content: just hashes, dates and changes (keeps the accounts Lambda bundle small). */
export const publishedIndex = (content: { readonly notices: readonly IndexedNotice[] }): PublishedContent => ({
  notices: content.notices.map((notice) => ({
    noticeId: notice.noticeId,
    versions: notice.versions.map((version) => ({
      version: version.version,
      effectiveDate: version.effectiveDate,
      changes: version.changes,
      variants: Object.fromEntries(Object.entries(version.variants).map(([key, variant]) => [key, { contentHash: variant.contentHash }])),
    })),
  })),
});
