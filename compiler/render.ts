/** Renders a variant into the forms it is served in: section HTML, Markdown, HTML document, JSON body. */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { formatDate, labelsFor } from './labels.ts';
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
  readonly title: string;
  readonly language: string;
  readonly effectiveDate: string;
  readonly lastUpdated: string;
  readonly sections: readonly CompiledSection[];
}

/** The whole variant as one Markdown document. */
export const renderMarkdownDocument = (input: DocumentInput): string => {
  const labels = labelsFor(input.language);
  const parts = [
    `# ${input.title}`,
    `${labels.effectiveDate}${labels.separator}${formatDate(input.effectiveDate, input.language)}`,
    `${labels.lastUpdated}${labels.separator}${formatDate(input.lastUpdated, input.language)}`,
    ...input.sections.map((section) => `## ${section.title}\n\n${section.markdown}`),
  ];
  return `${parts.join('\n\n')}\n`;
};

/** The whole variant as a standalone, accessible HTML document (one h1, landmarks, a labelled section per section). */
export const renderHtmlDocument = (input: DocumentInput): string => {
  const labels = labelsFor(input.language);
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
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(input.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    '</head>',
    '<body>',
    '<main>',
    '<article>',
    '<header>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p>${escapeHtml(labels.effectiveDate)}${escapeHtml(labels.separator)}${date(input.effectiveDate)}</p>`,
    `<p>${escapeHtml(labels.lastUpdated)}${escapeHtml(labels.separator)}${date(input.lastUpdated)}</p>`,
    '</header>',
    `<nav aria-label="${escapeHtml(labels.contents)}">`,
    '<ol>',
    toc,
    '</ol>',
    '</nav>',
    body,
    '</article>',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
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
