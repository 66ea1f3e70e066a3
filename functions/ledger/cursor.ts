/**
 * Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded and sealed with a
 * digest over the query it belongs to. A cursor edited by hand, cut short or replayed against
 * another account or shard fails the check and is refused as bad input, never passed to DynamoDB.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from './errors.ts';

export type StoreKey = Record<string, string>;

const MAX_CURSOR_LENGTH = 2048;

const seal = (binding: string, payload: string): string =>
  createHash('sha256').update(binding).update('\0').update(payload).digest('base64url').slice(0, 22);

/** Encode a LastEvaluatedKey for the query identified by `binding`. */
export const encodeCursor = (key: StoreKey, binding: string): string => {
  const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${payload}.${seal(binding, payload)}`;
};

/** Decode a cursor issued by `encodeCursor` for the same binding and with exactly `keyNames`; throws `InvalidCursorError`. */
export const decodeCursor = (cursor: string, binding: string, keyNames: readonly string[]): StoreKey => {
  if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
  const [payload, digest, ...rest] = cursor.split('.');
  if (!payload || !digest || rest.length > 0) throw new InvalidCursorError();
  const expected = Buffer.from(seal(binding, payload));
  const given = Buffer.from(digest);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidCursorError();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  const entries = Object.entries(key);
  const valid =
    entries.length === keyNames.length &&
    entries.every(([name, value]) => keyNames.includes(name) && typeof value === 'string' && value.length > 0);
  if (!valid) throw new InvalidCursorError();
  return key as StoreKey;
};
