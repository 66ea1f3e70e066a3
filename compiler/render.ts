/** Renders a variant into the forms it is served in: section HTML, Markdown, HTML document, JSON body. */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { DOCUMENT_STYLE } from './document-style.ts';
import { fill, formatDate, type DocumentStrings } from './labels.ts';
import type { CompiledSection } from '../functions/core/content.ts';
import { escapeHtml } from '../functions/core/html.ts';

const markdown = new Marked({ gfm: true, breaks: false });

/** What the rendered HTML may contain: prose, lists, tables, links. No scripts, styles, or event handlers. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'a', 'code', 'pre', 'blockquote', 'h3', 'h4', 'h5', 'h6',
    'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'br'],
  allowedAttributes: { a: ['href'], th: ['align'], td: ['align'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Markdown body of a section → sanitised HTML fragment. */
export const renderSectionHtml = (body: string): string =>
  sanitizeHtml(markdown.parse(body, { async: false }), SANITIZE_OPTIONS).trim();

export interface DocumentInput {
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly title: string;
  readonly language: string;
  readonly effectiveDate: string;
  readonly lastUpdated: string;
  readonly sections: readonly CompiledSection[];
  /** The version before this one that has this variant's language: the page links to the diff from it. */
  readonly previousVersion?: number;
  readonly strings: DocumentStrings;
}

/** The whole variant as one Markdown document. */
export const renderMarkdownDocument = (input: DocumentInput): string => {
  const labels = input.strings.notice;
  const parts = [
    `# ${input.title}`,
    `${labels.effectiveDate}${labels.separator}${formatDate(input.effectiveDate, input.language)}`,
    `${labels.lastUpdated}${labels.separator}${formatDate(input.lastUpdated, input.language)}`,
    ...input.sections.map((section) => `## ${section.title}\n\n${section.markdown}`),
  ];
  return `${parts.join('\n\n')}\n`;
};

/** Relative links between the served pages (same origin), `&` escaped for an attribute. */
export const noticePageLinks = (noticeId: string, region: string, language: string) => {
  const id = encodeURIComponent(noticeId);
  const query = (params: Record<string, string | number>): string =>
    escapeHtml(new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)])).toString());
  return {
    version: (version: number): string => `/v1/notices/${id}?${query({ version, region, lang: language, format: 'html' })}`,
    diff: (from: number, to: number): string => `/v1/notices/${id}/diff?${query({ from, to, region, lang: language, format: 'html' })}`,
    history: `/v1/notices/${id}/versions?${query({ region, lang: language, format: 'html' })}`,
  };
};

/**
 * Every pre-rendered page (notice, diff, history): charset, viewport, title and the one inline
 * stylesheet, then one article whose header opens with the title as its h1 and goes on with
 * `header`, followed by `body`.
 */
export const pageDocument = (language: string, title: string, header: readonly string[], body: readonly string[]): string =>
  [
    '<!doctype html>',
    `<html lang="${escapeHtml(language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${DOCUMENT_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<article>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...header,
    '</header>',
    ...body,
    '</article>',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');

/**
 * The whole variant as a standalone, accessible HTML page: one h1, the version and its dates, links
 * to the history and to the diff from the previous version, a table of contents, a labelled
 * section per section; styled by the inline stylesheet only.
 */
export const renderHtmlDocument = (input: DocumentInput): string => {
  const labels = input.strings.notice;
  const links = noticePageLinks(input.noticeId, input.region, input.language);
  const date = (iso: string): string => `<time datetime="${iso}">${escapeHtml(formatDate(iso, input.language))}</time>`;
  const toc = input.sections
    .map((section) => `<li><a href="#${section.id}">${escapeHtml(section.title)}</a></li>`)
    .join('\n');
  const body = input.sections
    .map((section) => {
      const regionAttribute = section.region ? ` data-region="${escapeHtml(section.region)}"` : '';
      return [
        `<section id="${section.id}" aria-labelledby="${section.id}-heading"${regionAttribute}>`,
        `<h2 id="${section.id}-heading">${escapeHtml(section.title)}</h2>`,
        section.html,
        '</section>',
      ].join('\n');
    })
    .join('\n');
  const pageLinks = [
    `<li><a href="${links.history}">${escapeHtml(labels.history)}</a></li>`,
    ...(input.previousVersion !== undefined
      ? [`<li><a href="${links.diff(input.previousVersion, input.version)}">${escapeHtml(fill(labels.previousDiff, { previous: input.previousVersion }))}</a></li>`]
      : []),
  ];
  return pageDocument(
    input.language,
    input.title,
    [
      '<dl class="meta">',
      `<dt>${escapeHtml(labels.version)}</dt><dd>${input.version}</dd>`,
      `<dt>${escapeHtml(labels.effectiveDate)}</dt><dd>${date(input.effectiveDate)}</dd>`,
      `<dt>${escapeHtml(labels.lastUpdated)}</dt><dd>${date(input.lastUpdated)}</dd>`,
      '</dl>',
      `<ul class="links">${pageLinks.join('')}</ul>`,
    ],
    [`<nav class="toc" aria-labelledby="toc-heading">`, `<h2 id="toc-heading">${escapeHtml(labels.contents)}</h2>`, '<ol>', toc, '</ol>', '</nav>', body],
  );
};

export interface JsonBodyInput {
  readonly noticeId: string;
  readonly version: number;
  readonly effectiveDate: string;
  readonly region: string;
  readonly language: string;
  readonly contentHash: string;
  readonly sections: readonly CompiledSection[];
  readonly availableLanguages: readonly string[];
}

/** The exact `GET /v1/notices/{id}` JSON body (PRODUCT.md's fields, in that order). */
export const renderJsonBody = (input: JsonBodyInput): string =>
  JSON.stringify({
    noticeId: input.noticeId,
    version: input.version,
    effectiveDate: input.effectiveDate,
    region: input.region,
    language: input.language,
    contentHash: input.contentHash,
    sections: input.sections.map(({ id, title, region, markdown, html }) => ({ id, title, region, markdown, html })),
    availableLanguages: input.availableLanguages,
  });
