import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseOrThrow, parseQuery, parseWith } from '../../../functions/http/parse.ts';

const caught = (act: () => unknown): InvalidInputError => {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
};

const pair = z.object({ a: z.number(), b: z.string() });

describe('Module: parse', () => {
  it('returns the parsed value when the schema accepts it', () => {
    expect(parseWith(pair, { a: 1, b: 'x' }, 'body')).toEqual({ a: 1, b: 'x' });
  });

  it('reports each issue by dotted path, the root as the part named, and never the value received', () => {
    // Act
    const nested = caught(() => parseWith(z.object({ outer: pair }), { outer: { a: 'secret@example.com', b: 2 } }, 'body'));
    const root = caught(() => parseWith(pair, 'secret@example.com', 'body'));

    // Assess
    expect(nested.message).toBe('the body is not valid');
    expect(nested.issues.map((issue) => issue.path)).toEqual(['outer.a', 'outer.b']);
    expect(root.issues.map((issue) => issue.path)).toEqual(['body']);
    expect(JSON.stringify([nested, root].map((error) => error.issues))).not.toContain('secret@example.com');
  });

  it('caps a request part at 20 issues, and words query failures by parameter name', () => {
    // Prepare
    const many = z.object(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, z.string()])));

    // Act
    const capped = caught(() => parseWith(many, {}, 'body'));
    const query = caught(() => parseQuery(pair, { a: 'x' }));

    // Assess
    expect(capped.issues).toHaveLength(20);
    expect(query.message).toBe('malformed query parameter: a, b');
  });

  it('lets a caller word the detail and the root path, reporting every issue by default', () => {
    // Act
    const error = caught(() => parseOrThrow(pair, null, { detail: (paths) => `invalid request (${paths.length})`, rootPath: '(body)' }));

    // Assess
    expect(error.message).toBe('invalid request (1)');
    expect(error.issues).toEqual([{ path: '(body)', message: expect.any(String) }]);
  });
});
