import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DOCUMENT_STYLE, documentSecurityPolicy } from '../../../compiler/document-style.ts';
import { ProblemCollector } from '../../../compiler/errors.ts';
import { readDocumentStrings } from '../../../compiler/labels.ts';
import { type DocumentInput, renderHtmlDocument, renderJsonBody, renderMarkdownDocument, renderSectionHtml } from '../../../compiler/render.ts';
import type { CompiledSection } from '../../../functions/core/content.ts';

const sections: CompiledSection[] = [
  { id: 'who-we-are', title: 'Who <we> are', region: null, markdown: 'We are **Example**.', html: '<p>We are <strong>Example</strong>.</p>' },
  { id: 'eea-residents', title: 'EEA', region: 'eea', markdown: '- one\n- two', html: '<ul>\n<li>one</li>\n<li>two</li>\n</ul>' },
];
const strings = readDocumentStrings(join(import.meta.dirname, '..', '..', '..', 'templates'), ['en', 'ja'], new ProblemCollector());
const page = (language: string, extra: Partial<DocumentInput> = {}): DocumentInput => ({
  noticeId: 'demo',
  version: 2,
  region: 'eea',
  title: 'Demo & Notice',
  language,
  effectiveDate: '2027-02-01',
  lastUpdated: '2026-03-01',
  sections,
  strings: strings.get(language)!,
  ...extra,
});
const document = page('ja', { previousVersion: 1 });

describe('Function: renderSectionHtml', () => {
  it('renders Markdown prose, lists, sub-headings and links', () => {
    const html = renderSectionHtml('Intro with a [link](https://example.com) and [mail](mailto:a@example.com).\n\n### Detail\n\n1. first\n2. second');
    expect(html).toContain('<a href="https://example.com">link</a>');
    expect(html).toContain('<a href="mailto:a@example.com">mail</a>');
    expect(html).toContain('<h3>Detail</h3>');
    expect(html).toContain('<ol>');
  });

  it('removes scripts, event handlers, styles and javascript: links even if they reach the renderer', () => {
    const html = renderSectionHtml('Hi <script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(3)">x</a> [y](javascript:alert(4))\n\n<style>p{}</style><iframe src="https://e.example"></iframe>');
    expect(html).not.toMatch(/<script|onerror|javascript:|<style|<iframe|<img|alert\(1\)/i);
    expect(html).toContain('Hi');
  });
});

describe('Function: renderHtmlDocument', () => {
  const html = renderHtmlDocument(document);

  it('is a standalone document in the variant language', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="ja">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Demo &amp; Notice</title>');
  });

  it('has one main landmark, exactly one h1, and a labelled section per section', () => {
    expect(html.match(/<main>/g)).toHaveLength(1);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain('<section id="who-we-are" aria-labelledby="who-we-are-heading">\n<h2 id="who-we-are-heading">Who &lt;we&gt; are</h2>');
    expect(html).toContain('<section id="eea-residents" aria-labelledby="eea-residents-heading" data-region="eea">');
  });

  it('shows the version, the effective date and the last-updated date in the language', () => {
    expect(html).toContain('<dt>版</dt><dd>2</dd>');
    expect(html).toContain('<dt>適用開始日</dt><dd><time datetime="2027-02-01">2027年2月1日</time></dd>');
    expect(html).toContain('<dt>最終更新日</dt><dd><time datetime="2026-03-01">2026年3月1日</time></dd>');
  });

  it('writes English dates day-month-year', () => {
    expect(renderHtmlDocument(page('en'))).toContain('<dt>Effective date</dt><dd><time datetime="2027-02-01">1 February 2027</time></dd>');
  });

  it('links to the version history and to the diff from the previous version, in its region and language', () => {
    expect(html).toContain('<a href="/v1/notices/demo/versions?region=eea&amp;lang=ja&amp;format=html">改定履歴</a>');
    expect(html).toContain('<a href="/v1/notices/demo/diff?from=1&amp;to=2&amp;region=eea&amp;lang=ja&amp;format=html">第1版からの変更点</a>');
    expect(renderHtmlDocument(page('en'))).not.toContain('/diff?');
  });

  it('has a table of contents linking every section', () => {
    expect(html).toContain('<nav class="toc" aria-labelledby="toc-heading">\n<h2 id="toc-heading">目次</h2>');
    expect(html).toContain('<li><a href="#who-we-are">Who &lt;we&gt; are</a></li>');
    expect(html).toContain('<li><a href="#eea-residents">EEA</a></li>');
  });

  it('carries its one stylesheet inline, phone and print rules included, and loads nothing else', () => {
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).toContain(`<style>${DOCUMENT_STYLE}</style>`);
    expect(DOCUMENT_STYLE).toMatch(/max-width:42rem/);
    expect(DOCUMENT_STYLE).toMatch(/font:[^;]*system-ui/);
    expect(DOCUMENT_STYLE).toContain('@media print');
    expect(html).not.toMatch(/<link|<script|<img|src=|url\(|@import/i);
  });

  it('is allowed its stylesheet by hash and nothing else by the policy', () => {
    const policy = documentSecurityPolicy();
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; /);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe|script-src/);
  });
});

describe('Function: renderMarkdownDocument', () => {
  it('has the title, dates and every section under an H2', () => {
    const markdown = renderMarkdownDocument(page('en'));
    expect(markdown).toBe('# Demo & Notice\n\nEffective date: 1 February 2027\n\nLast updated: 1 March 2026\n\n## Who <we> are\n\nWe are **Example**.\n\n## EEA\n\n- one\n- two\n');
  });
});

describe('Function: renderJsonBody', () => {
  it('has exactly the fields of the HTTP contract, in order', () => {
    const body = JSON.parse(renderJsonBody({ noticeId: 'demo', version: 2, effectiveDate: '2027-02-01', region: 'eea', language: 'ja', contentHash: 'abc', sections, availableLanguages: ['en', 'ja'] })) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['noticeId', 'version', 'effectiveDate', 'region', 'language', 'contentHash', 'sections', 'availableLanguages']);
    expect(body.sections).toEqual(sections.map(({ id, title, region, markdown, html }) => ({ id, title, region, markdown, html })));
  });
});
