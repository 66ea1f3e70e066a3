/**
 * Choice tokens: the capability in a change-notice email link. Pure (node:crypto only).
 *
 * Format `v1.<payload>.<signature>`: `payload` is base64url JSON `{ c, a, e }` (campaign,
 * account, expiry as ISO), `signature` is base64url HMAC-SHA256 over `v1.<payload>`. The
 * signature is compared as its encoded text, so even the unused low bits of the last base64
 * character are covered, and in constant time.
 *
 * Two-key rotation: a verifier takes the keys it accepts (the current one first, then the
 * previous one), so links signed before a rotation keep working until their deadline.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidTokenError } from './errors.ts';

export interface ChoiceTokenClaims {
  readonly campaignId: string;
  readonly accountId: string;
  /** ISO 8601 instant: the campaign's deadline. */
  readonly expiresAt: string;
}

/** The current token format; a new format gets a new prefix and old links keep verifying while they may. */
export const CHOICE_TOKEN_VERSION = 'v1';
/** Keys shorter than the HMAC output add nothing but risk. */
export const MIN_TOKEN_KEY_BYTES = 32;
/** Anything longer was not made by us: refuse before hashing attacker-sized input. */
export const MAX_CHOICE_TOKEN_LENGTH = 1024;
const MAX_ID_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** An authentic token whose deadline has passed; carries the claims so the page can say what was recorded. */
export class ExpiredChoiceTokenError extends InvalidTokenError {
  constructor(readonly claims: ChoiceTokenClaims) {
    super('the choice link has expired: its deadline has passed');
  }
}

/** Signed by none of the keys given: forged, damaged, or signed with a key this verifier does not hold (yet). */
export class ChoiceTokenSignatureError extends InvalidTokenError {
  constructor() {
    super('the choice link is not valid');
  }
}

const checkKey = (key: Uint8Array): void => {
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_TOKEN_KEY_BYTES) {
    throw new TypeError(`a choice-token key must be at least ${MIN_TOKEN_KEY_BYTES} bytes`);
  }
};

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

const parseInstant = (value: unknown): number => {
  if (typeof value !== 'string' || value.length > 40) return Number.NaN;
  return Date.parse(value);
};

const sign = (signed: string, key: Uint8Array): string => createHmac('sha256', key).update(signed).digest('base64url');

/** Sign claims into a URL-safe token bound to one campaign and one account. */
export const signChoiceToken = (claims: ChoiceTokenClaims, key: Uint8Array): string => {
  checkKey(key);
  if (!isId(claims.campaignId) || !isId(claims.accountId)) throw new TypeError('campaignId and accountId must be non-empty strings');
  const expires = parseInstant(claims.expiresAt);
  if (Number.isNaN(expires)) throw new TypeError('expiresAt must be an ISO 8601 instant');
  const payload = Buffer.from(
    JSON.stringify({ c: claims.campaignId, a: claims.accountId, e: new Date(expires).toISOString() }),
  ).toString('base64url');
  const signed = `${CHOICE_TOKEN_VERSION}.${payload}`;
  return `${signed}.${sign(signed, key)}`;
};

/**
 * Verify a token at `now` against one key or the keys in rotation (current first); returns its
 * claims or throws `InvalidTokenError` (`ExpiredChoiceTokenError` when only the deadline is the
 * problem, `ChoiceTokenSignatureError` when no key signed it).
 */
export const verifyChoiceToken = (token: string, keyOrKeys: Uint8Array | readonly Uint8Array[], now: Date): ChoiceTokenClaims => {
  const keys = keyOrKeys instanceof Uint8Array ? [keyOrKeys] : keyOrKeys;
  if (keys.length === 0) throw new TypeError('at least one choice-token key is needed');
  keys.forEach(checkKey);
  if (typeof token !== 'string' || token.length > MAX_CHOICE_TOKEN_LENGTH) throw new InvalidTokenError('malformed choice link');
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed choice link');
  const [version, payload, signature] = parts as [string, string, string];
  if (version !== CHOICE_TOKEN_VERSION) throw new InvalidTokenError('unsupported choice link version');
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) throw new InvalidTokenError('malformed choice link');

  const given = Buffer.from(signature);
  // Length is public (always 43); the comparison of the bytes must not leak where they differ.
  // Every key is tried, so the time does not say which key (if any) matched.
  let matched = false;
  for (const key of keys) {
    const expected = Buffer.from(sign(`${version}.${payload}`, key));
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) throw new ChoiceTokenSignatureError();

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed choice link');
  }
  const { c, a, e } = (decoded ?? {}) as { c?: unknown; a?: unknown; e?: unknown };
  const expires = parseInstant(e);
  if (!isId(c) || !isId(a) || Number.isNaN(expires)) throw new InvalidTokenError('malformed choice link');
  const claims: ChoiceTokenClaims = { campaignId: c, accountId: a, expiresAt: new Date(expires).toISOString() };
  if (now.getTime() >= expires) throw new ExpiredChoiceTokenError(claims);
  return claims;
};
