/** Content hashes: the proof of exactly which text a customer saw. */
import { createHash } from 'node:crypto';

export interface CanonicalVariant {
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  readonly sections: readonly { readonly id: string; readonly title: string; readonly markdown: string }[];
}

/** The canonical rendering of a variant, exactly as docs/design.md defines it (key order matters). */
export const canonicalRendering = (variant: CanonicalVariant): string =>
  JSON.stringify({
    noticeId: variant.noticeId,
    version: variant.version,
    region: variant.region,
    language: variant.language,
    sections: variant.sections.map(({ id, title, markdown }) => ({ id, title, markdown })),
  });

/** Lowercase hex SHA-256 of the variant's canonical rendering. */
export const contentHash = (variant: CanonicalVariant): string => sha256(canonicalRendering(variant));

/** SHA-256 over every source file (path and bytes, in path order), for provenance and cache busting. */
export const sourceHash = (files: readonly { readonly path: string; readonly content: string }[]): string => {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0${Buffer.byteLength(file.content)}\0`).update(file.content);
  }
  return hash.digest('hex');
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
