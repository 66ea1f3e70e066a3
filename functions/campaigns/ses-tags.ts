/**
 * The SES message tags the sender sets and the SES-events handler reads back, in a module of their
 * own: the SES-events Lambda imports them without the queue messages' zod schemas.
 */

/** SES message tag names the sender sets and the SES-events handler reads back. */
/** `call`: the SES call's id (`callIdOf`), whose item holds what SES accepted and whose delivery log the SES-events handler writes. */
export const SES_TAGS = { campaign: 'campaign', account: 'account', kind: 'kind', call: 'call' } as const;

const TAG_SAFE = /^[A-Za-z0-9_-]{1,200}$/;
const ENCODED_PREFIX = 'b64-';

/** SES tag values allow only `[A-Za-z0-9_-]`: other account ids travel base64url-encoded behind a prefix. */
export const encodeTagValue = (value: string): string =>
  TAG_SAFE.test(value) && !value.startsWith(ENCODED_PREFIX) ? value : ENCODED_PREFIX + Buffer.from(value, 'utf8').toString('base64url');

/** Inverse of `encodeTagValue`. */
export const decodeTagValue = (value: string): string =>
  value.startsWith(ENCODED_PREFIX) ? Buffer.from(value.slice(ENCODED_PREFIX.length), 'base64url').toString('utf8') : value;
