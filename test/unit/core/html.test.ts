import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/core/html.ts';

describe('Function: escapeHtml', () => {
  it('escapes what SES would put raw into HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('escapes braces and backticks, so a value can never become an SES or mustache placeholder', () => {
    expect(escapeHtml('{{acceptUrl}} `x`')).toBe('&#123;&#123;acceptUrl&#125;&#125; &#96;x&#96;');
  });

  it('leaves URLs and plain text as they are, and stringifies numbers', () => {
    expect(escapeHtml('https://x.example/choices/v1.abc-def_1?option=keep-previous')).toBe('https://x.example/choices/v1.abc-def_1?option=keep-previous');
    expect(escapeHtml('保有済みの情報を削除する')).toBe('保有済みの情報を削除する');
    expect(escapeHtml(2)).toBe('2');
  });
});
