import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseQuery } from '../../../functions/http/parse.ts';
import { DiffQuerySchema, NoticeQuerySchema } from '../../../functions/http/schemas/notices.ts';

const invalidPaths = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).issues.map((issue) => issue.path);
  }
  throw new Error('expected InvalidInputError');
};

describe('Schema: NoticeQuerySchema', () => {
  it('accepts an empty or absent query', () => {
    expect(parseQuery(NoticeQuerySchema, undefined)).toEqual({});
    expect(parseQuery(NoticeQuerySchema, {})).toEqual({});
  });

  it('turns the version into a number and keeps the rest as given', () => {
    expect(parseQuery(NoticeQuerySchema, { version: '2', region: 'eea', country: 'de', lang: 'ja-JP', format: 'md' })).toEqual({
      version: 2,
      region: 'eea',
      country: 'de',
      lang: 'ja-JP',
      format: 'md',
    });
  });

  it('ignores unknown parameters', () => {
    expect(parseQuery(NoticeQuerySchema, { utm_source: 'mail', __proto__: 'x' } as Record<string, string>)).toEqual({});
  });

  it.each([
    [{ version: '0' }, 'version'],
    [{ version: '2.5' }, 'version'],
    [{ version: '1234567890' }, 'version'],
    [{ country: 'DEU' }, 'country'],
    [{ lang: 'ja_JP' }, 'lang'],
    [{ format: 'pdf' }, 'format'],
    [{ region: 'Eea' }, 'region'],
  ])('refuses %j, naming %s', (query, path) => {
    expect(invalidPaths(() => parseQuery(NoticeQuerySchema, query))).toEqual([path]);
  });

  it('reports every malformed parameter at once, never echoing the values', () => {
    try {
      parseQuery(NoticeQuerySchema, { version: 'x<script>', country: 'x<script>' });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidInputError).issues.map((issue) => issue.path).sort()).toEqual(['country', 'version']);
      expect(JSON.stringify((error as InvalidInputError).issues) + (error as Error).message).not.toContain('<script>');
    }
  });
});

describe('Schema: DiffQuerySchema', () => {
  it('requires from and to', () => {
    expect(invalidPaths(() => parseQuery(DiffQuerySchema, {})).sort()).toEqual(['from', 'to']);
    expect(parseQuery(DiffQuerySchema, { from: '1', to: '2' })).toEqual({ from: 1, to: 2 });
  });
});
