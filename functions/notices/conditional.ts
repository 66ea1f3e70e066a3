/** Entity tags and conditional GETs (RFC 9110 §13.1.2: If-None-Match uses the weak comparison). */
import { createHash } from 'node:crypto';

/** A strong entity tag for a body we did not pre-hash. */
export const etagOfBody = (body: string): string => `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;

const opaqueTag = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** True when `If-None-Match` names `etag` (weakly) or is `*`; malformed members never match. */
export const ifNoneMatchMatches = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false;
  if (header === etag) return true;
  const wanted = opaqueTag(etag);
  for (const member of header.split(',')) {
    const tag = member.trim();
    if (tag === '*' || opaqueTag(tag) === wanted) return true;
  }
  return false;
};
