/**
 * The diff page (`GET /v1/notices/{id}/diff?format=html`), pre-rendered at build time for every
 * pair of versions of every variant: each changed section with its removed and added text marked
 * (`<del>`/`<ins>`, struck through and underlined, and named for screen readers, never by colour
 * alone), the declared change and its effect, and links to both versions. Text is compared word by
 * word with the language's own word boundaries (`Intl.Segmenter`), so Japanese and Korean, written
 * without spaces, are compared by word too.
 */
import { diffArrays } from 'diff';
import type { DeclaredChange } from '../functions/core/content.ts';
import type { SectionDiff, VersionDiff } from '../functions/content/diff.ts';
import { escapeHtml } from '../functions/core/html.ts';
import { fill, formatDate, type DocumentStrings } from './labels.ts';
import { noticePageLinks, pageDocument } from './render.ts';

const PARAGRAPH = '\u2029';

/** A section's Markdown as the reader sees it: one string per block, inline markup (emphasis, code, link targets) dropped. */
const plainBlocks = (markdown: string | null): string[] =>
  (markdown ?? '')
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/(\*\*|__)(.+?)\1/g, '$2')
        .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, '$1$2')
        .replace(/`([^`]*)`/g, '$1')
        .replace(/^#{1,6}\s+/gm, '')
        .replace(/^\s*[-*+]\s+/gm, '• ')
        .replace(/\s*\n\s*/g, ' ')
        .trim(),
    )
    .filter((block) => block !== '');

/** Words, spaces and punctuation, as `language` segments them, with a paragraph mark between blocks. */
const tokens = (blocks: readonly string[], language: string): string[] => {
  const segmenter = new Intl.Segmenter(language, { granularity: 'word' });
  return blocks.flatMap((block, index) => [...(index > 0 ? [PARAGRAPH] : []), ...Array.from(segmenter.segment(block), (part) => part.segment)]);
};

interface Run {
  readonly kind: 'same' | 'change';
  readonly removed: string[];
  readonly added: string[];
}

/**
 * The comparison as runs of common text and of changes. A stretch of only spaces or punctuation
 * between two changes joins them, so "13 months" → "36 months" reads as one replacement, not a
 * scatter of marks.
 */
const runsOf = (before: readonly string[], after: readonly string[]): Run[] => {
  const runs: Run[] = [];
  const parts = diffArrays(before as string[], after as string[]);
  parts.forEach((part, index) => {
    const last = runs.at(-1);
    if (part.added || part.removed) {
      const target = last?.kind === 'change' ? last : (runs.push({ kind: 'change', removed: [], added: [] }), runs.at(-1)!);
      (part.added ? target.added : target.removed).push(...part.value);
      return;
    }
    const trivial = part.value.every((token) => token !== PARAGRAPH && !/[\p{L}\p{N}]/u.test(token));
    const between = last?.kind === 'change' && index < parts.length - 1;
    if (trivial && between) {
      last.removed.push(...part.value);
      last.added.push(...part.value);
      return;
    }
    runs.push({ kind: 'same', removed: part.value, added: part.value });
  });
  return runs;
};

/** Removed or added text: the element, its visible line, and words that say what it is to a screen reader. */
const marked = (tag: 'del' | 'ins', text: string, start: string, end: string): string =>
  text.trim() === ''
    ? ''
    : `<${tag}><span class="vh">${escapeHtml(start)}</span>${escapeHtml(text).split(PARAGRAPH).join('<br>')}<span class="vh">${escapeHtml(end)}</span></${tag}>`;

/** The compared text as paragraphs, changes marked inline. */
const comparedText = (diff: SectionDiff, language: string, strings: DocumentStrings['diff']): string => {
  const runs = runsOf(tokens(plainBlocks(diff.before), language), tokens(plainBlocks(diff.after), language));
  const paragraphs: string[] = [];
  let current = '';
  for (const run of runs) {
    if (run.kind === 'change') {
      current += marked('del', run.removed.join(''), strings.removedStart, strings.removedEnd);
      current += marked('ins', run.added.join(''), strings.addedStart, strings.addedEnd);
      continue;
    }
    for (const token of run.added) {
      if (token === PARAGRAPH) {
        paragraphs.push(current);
        current = '';
      } else current += escapeHtml(token);
    }
  }
  paragraphs.push(current);
  return paragraphs
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${paragraph}</p>`)
    .join('\n');
};

/** What was declared for a change, in the reader's words: the summary, its kind, and for a material change its effect and scope. */
export const declaredChange = (change: DeclaredChange, language: string, defaultLanguage: string, strings: DocumentStrings['diff']): string => {
  const summary = change.summary[language] ?? change.summary[defaultLanguage] ?? '';
  return [
    ...(summary === '' ? [] : [`<p>${escapeHtml(summary)}</p>`]),
    `<p>${escapeHtml(strings.kind[change.kind])}</p>`,
    ...(change.effect ? [`<p>${escapeHtml(strings.effect[change.effect])}</p>`] : []),
    ...(change.scope ? [`<p>${escapeHtml(strings.scope[change.scope])}</p>`] : []),
  ].join('\n');
};

export interface DiffPageInput {
  readonly diff: VersionDiff;
  readonly title: string;
  readonly defaultLanguage: string;
  readonly strings: DocumentStrings;
}

/** The standalone, accessible diff page of `diff`. */
export const renderDiffPage = ({ diff, title, defaultLanguage, strings }: DiffPageInput): string => {
  const words = strings.diff;
  const { language } = diff;
  const links = noticePageLinks(diff.noticeId, diff.region, language);
  const heading = fill(words.title, { noticeTitle: title });
  const changed = diff.sections.filter((section) => section.status !== 'unchanged');
  const unchanged = diff.sections.filter((section) => section.status === 'unchanged');
  const sections = changed.map((section) => {
    const id = `${section.id}-heading`;
    const titleLine =
      section.previousTitle === undefined
        ? ''
        : `<p>${marked('del', section.previousTitle, words.removedStart, words.removedEnd)} ${marked('ins', section.title, words.addedStart, words.addedEnd)}</p>`;
    const declared =
      section.changes.length === 0
        ? `<p class="declared">${escapeHtml(words.notDeclared)}</p>`
        : `<div class="declared"><h3>${escapeHtml(words.declared)}</h3>\n${section.changes.map((change) => declaredChange(change, language, defaultLanguage, words)).join('\n')}</div>`;
    return [
      `<section id="${section.id}" aria-labelledby="${id}" data-status="${section.status}">`,
      `<h2 id="${id}">${escapeHtml(section.title)} <span class="status">${escapeHtml(words.status[section.status as 'added' | 'removed' | 'changed'])}</span></h2>`,
      titleLine,
      declared,
      comparedText(section, language, words),
      '</section>',
    ]
      .filter((line) => line !== '')
      .join('\n');
  });
  const unchangedList =
    unchanged.length === 0
      ? []
      : [
          '<section id="unchanged-sections" aria-labelledby="unchanged-sections-heading">',
          `<h2 id="unchanged-sections-heading">${escapeHtml(words.unchanged)}</h2>`,
          `<ul>${unchanged.map((section) => `<li>${escapeHtml(section.title)}</li>`).join('')}</ul>`,
          '</section>',
        ];
  return pageDocument(
    language,
    heading,
    [
      `<p>${escapeHtml(fill(words.summary, { from: diff.from, to: diff.to, fromDate: formatDate(diff.fromEffectiveDate, language), toDate: formatDate(diff.toEffectiveDate, language) }))}</p>`,
      '<ul class="links">',
      `<li><a href="${links.version(diff.from)}">${escapeHtml(fill(words.readVersion, { version: diff.from }))}</a></li>`,
      `<li><a href="${links.version(diff.to)}">${escapeHtml(fill(words.readVersion, { version: diff.to }))}</a></li>`,
      '</ul>',
      changed.length === 0 ? `<p>${escapeHtml(words.noChanges)}</p>` : `<p class="legend">${escapeHtml(words.legend)}</p>`,
    ],
    [...sections, ...unchangedList],
  );
};
