/**
 * The version-history page (`GET /v1/notices/{id}/versions?format=html`), pre-rendered at build time
 * on the variants of a notice's newest version, once for each state the history can be in: no
 * version in force yet, or version N in force (older ones superseded, newer ones upcoming). The
 * route picks the page for the instant asked about (`at`, or now), so it computes nothing.
 * Every version, newest first: its effective date, whether it is in force, upcoming or superseded,
 * the changes declared with it for the reader's region and their effect, a link to its notice page and one to the diff
 * from the version before it.
 */
import type { CompiledNotice } from '../functions/core/content.ts';
import { variantKey } from '../functions/core/content.ts';
import { escapeHtml } from '../functions/core/html.ts';
import { fill, formatDate, type DocumentStrings } from './labels.ts';
import { declaredChange } from './render-diff.ts';
import { noticePageLinks, pageDocument } from './render.ts';

export type VersionStatus = 'in-force' | 'upcoming' | 'superseded';

/** The status of `version` when `inForce` (a version number, or 0 for none) is the version in force. */
export const versionStatus = (version: number, inForce: number): VersionStatus =>
  version === inForce ? 'in-force' : version > inForce ? 'upcoming' : 'superseded';

export interface HistoryPageInput {
  /** The notice, its versions without their pages (the page reads numbers, dates, changes and which variants exist). */
  readonly notice: Pick<CompiledNotice, 'noticeId' | 'title' | 'defaultLanguage' | 'versions'>;
  readonly region: string;
  readonly language: string;
  /** The version in force, or 0 when none is yet. */
  readonly inForce: number;
  readonly strings: DocumentStrings;
}

/** The standalone, accessible version-history page in `language`, with links for `region`. */
export const renderHistoryPage = ({ notice, region, language, inForce, strings }: HistoryPageInput): string => {
  const words = strings.history;
  const links = noticePageLinks(notice.noticeId, region, language);
  const key = variantKey(region, language);
  const title = notice.title[language] ?? notice.title[notice.defaultLanguage] ?? notice.noticeId;
  const heading = fill(words.title, { noticeTitle: title });
  const newestFirst = [...notice.versions].reverse();
  const sections = newestFirst.map((version) => {
    const id = `version-${version.version}`;
    const status = versionStatus(version.version, inForce);
    const previous = notice.versions.findLast((earlier) => earlier.version < version.version);
    // The changes to this region's text: common sections' and its own sections'.
    const declared = version.changes.filter((change) => change.region === null || change.region === region);
    const changes =
      previous === undefined
        ? `<p>${escapeHtml(words.firstVersion)}</p>`
        : declared.length === 0
          ? `<p>${escapeHtml(words.noChanges)}</p>`
          : [
              `<div class="declared"><h3>${escapeHtml(words.changes)}</h3>`,
              '<ul>',
              ...declared.map((change) => `<li>${declaredChange(change, language, notice.defaultLanguage, strings.diff)}</li>`),
              '</ul>',
              '</div>',
            ].join('\n');
    const pageLinks = [
      ...(version.variants[key] !== undefined ? [`<li><a href="${links.version(version.version)}">${escapeHtml(fill(words.readVersion, { version: version.version }))}</a></li>`] : []),
      ...(previous !== undefined && previous.variants[key] !== undefined && version.variants[key] !== undefined
        ? [`<li><a href="${links.diff(previous.version, version.version)}">${escapeHtml(fill(strings.notice.previousDiff, { previous: previous.version }))}</a></li>`]
        : []),
    ];
    return [
      `<section id="${id}" aria-labelledby="${id}-heading" data-status="${status}">`,
      `<h2 id="${id}-heading">${escapeHtml(fill(words.version, { version: version.version }))} <span class="status">${escapeHtml(words.status[status])}</span></h2>`,
      '<dl class="meta">',
      `<dt>${escapeHtml(strings.notice.effectiveDate)}</dt><dd><time datetime="${version.effectiveDate}">${escapeHtml(formatDate(version.effectiveDate, language))}</time></dd>`,
      '</dl>',
      changes,
      pageLinks.length === 0 ? '' : `<ul class="links">${pageLinks.join('')}</ul>`,
      '</section>',
    ]
      .filter((line) => line !== '')
      .join('\n');
  });
  return pageDocument(language, heading, [`<p>${escapeHtml(words.intro)}</p>`], sections);
};

/** A variant's history pages, by the version in force (`"0"`: none yet). */
export const historyPages = (input: Omit<HistoryPageInput, 'inForce'>): Record<string, string> =>
  Object.fromEntries([0, ...input.notice.versions.map((version) => version.version)].map((inForce) => [String(inForce), renderHistoryPage({ ...input, inForce })]));
