import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/ledger/cursor.ts';
import { InvalidCursorError } from '../../../functions/ledger/errors.ts';

const KEY = { pk: 'ACCT#a-1', sk: 'EV#ACC#privacy#000001#eea#en' };
const NAMES = ['pk', 'sk'];

describe('Function: encodeCursor / decodeCursor', () => {
  it('round-trips a key for the same binding', () => {
    expect(decodeCursor(encodeCursor(KEY, 'history:a-1'), 'history:a-1', NAMES)).toEqual(KEY);
  });

  it('refuses a cursor issued for another binding (another account or shard)', () => {
    expect(() => decodeCursor(encodeCursor(KEY, 'history:a-1'), 'history:a-2', NAMES)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor whose payload was edited, even when it still decodes', () => {
    const [, digest] = encodeCursor(KEY, 'history:a-1').split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...KEY, pk: 'ACCT#victim' })).toString('base64url')}.${digest}`;
    expect(() => decodeCursor(forged, 'history:a-1', NAMES)).toThrow(InvalidCursorError);
  });

  it('refuses a correctly sealed key with other attribute names', () => {
    expect(() => decodeCursor(encodeCursor({ pk: 'x', other: 'y' }, 'b'), 'b', NAMES)).toThrow(InvalidCursorError);
  });

  it('throws only InvalidCursorError for any string that was not issued', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 3000 }), fc.base64String(), fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`)), (cursor) => {
        try {
          decodeCursor(cursor, 'history:a-1', NAMES);
          return false;
        } catch (error) {
          return error instanceof InvalidCursorError;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
