import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { isLanguageTag, negotiateLanguage, primaryLanguage } from '../../../functions/core/language.ts';

const available = ['en', 'ja'] as const;
const negotiate = (input: { lang?: string; acceptLanguage?: string }, fallback = 'en') => negotiateLanguage(input, available, fallback);

describe('Function: negotiateLanguage', () => {
  describe('explicit lang', () => {
    it.each([
      ['ja', 'ja'],
      ['ja-JP', 'ja'],
      ['JA', 'ja'],
      ['en-GB', 'en'],
      ['zh-Hant-TW', 'en'],
    ])('serves lang=%s as %s', (lang, expected) => {
      expect(negotiate({ lang })).toBe(expected);
    });

    it('prefers lang to Accept-Language', () => {
      expect(negotiate({ lang: 'en', acceptLanguage: 'ja' })).toBe('en');
    });

    it('negotiates from Accept-Language when the explicit language is not available', () => {
      expect(negotiate({ lang: 'fr', acceptLanguage: 'ja' })).toBe('ja');
    });

    it.each(['', 'j', 'japanese', 'ja_JP', 'ja-', '*', 'ja-JP-x-a-b-c-d', 'en;q=1', '日本語'])('refuses the malformed lang %j', (lang) => {
      expect(() => negotiate({ lang })).toThrow(InvalidInputError);
    });
  });

  describe('Accept-Language', () => {
    it.each([
      ['ja-JP,en;q=0.5', 'ja'],
      ['ja-JP', 'ja'],
      ['en-US,en;q=0.9,ja;q=0.8', 'en'],
      ['fr-CA,fr;q=0.9,ja;q=0.5,en;q=0.4', 'ja'],
      ['en;q=0.1,ja;q=0.2', 'ja'],
      ['ja;q=0,en;q=0.1', 'en'],
      ['JA-jp', 'ja'],
      ['  ja  ', 'ja'],
    ])('serves %j as %s', (acceptLanguage, expected) => {
      expect(negotiate({ acceptLanguage })).toBe(expected);
    });

    it('excludes a language with q=0 and falls back to the first language not refused when nothing is acceptable', () => {
      // The fallback is the first offer the header does not refuse: ja is refused, so en.
      expect(negotiate({ acceptLanguage: 'ja;q=0' }, 'ja')).toBe('en');
      expect(negotiate({ acceptLanguage: 'ja;q=0' }, 'en')).toBe('en');
      expect(negotiate({ acceptLanguage: 'ja;q=0, *' }, 'ja')).toBe('en');
    });

    it('resolves * and equal q-values to the default language', () => {
      expect(negotiate({ acceptLanguage: '*' }, 'ja')).toBe('ja');
      expect(negotiate({ acceptLanguage: 'fr, de' }, 'ja')).toBe('ja');
    });

    it.each(['', ';;;', ',,,', 'q=1', 'en;q=abc', '\u0000', 'x'.repeat(10_000)])('falls back on junk %j without throwing', (acceptLanguage) => {
      expect(available).toContain(negotiate({ acceptLanguage }));
    });

    it('still honours a huge header by its first languages', () => {
      expect(negotiate({ acceptLanguage: `ja,${'x-pig-latin;q=0.1,'.repeat(500)}en;q=0.2` })).toBe('ja');
    });
  });

  it('uses the first available language when the fallback is not available', () => {
    expect(negotiateLanguage({}, ['ja'], 'en')).toBe('ja');
  });
});

describe('Function: primaryLanguage / isLanguageTag', () => {
  it('reduces a tag to its lower-case primary subtag', () => {
    expect(primaryLanguage('ja-JP')).toBe('ja');
    expect(primaryLanguage('EN')).toBe('en');
  });

  it('accepts BCP 47 shapes and refuses others', () => {
    expect(['en', 'ja-JP', 'zh-Hant-TW', 'gsw'].every(isLanguageTag)).toBe(true);
    expect(['e', 'en_', 'en-', '-en', 'en us'].some(isLanguageTag)).toBe(false);
  });
});
