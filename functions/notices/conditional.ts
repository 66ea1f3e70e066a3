/** Entity tags and conditional GETs (RFC 9110 §13.1.2: If-None-Match uses the weak comparison). */

// cyrb53 (public domain): a fast 53-bit string hash. Variant bodies carry their SHA-256 from the
// build; the few bodies computed at run time (list, versions, diff, OpenAPI) only need a tag that
// changes when they change, and `node:crypto` would add to every cold start of this Lambda.
const cyrb53 = (text: string, seed: number): number => {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
};

/** A strong entity tag for a body computed at run time: two seeded 53-bit hashes and the length. */
export const etagOfBody = (body: string): string =>
  `"${cyrb53(body, 1).toString(16).padStart(14, '0')}${cyrb53(body, 2).toString(16).padStart(14, '0')}-${body.length.toString(16)}"`;

const opaqueTag = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/**
 * True when `If-None-Match` names `etag` (weakly) or is `*` alone (RFC 9110 §13.1.2: `"*" / #entity-tag`,
 * so `*` inside a list is malformed); malformed members never match.
 */
export const ifNoneMatchMatches = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false;
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  const wanted = opaqueTag(etag);
  for (const member of header.split(',')) {
    if (opaqueTag(member.trim()) === wanted) return true;
  }
  return false;
};
