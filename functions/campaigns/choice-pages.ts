/**
 * The choice pages (choice, confirmation, error) rendered from the compiled `templates/pages/` with mustache,
 * every value escaped, in the recipient's language. The inline style is allowed by its hash, so
 * the Content-Security-Policy needs no `unsafe-inline`.
 */
import { createHash } from 'node:crypto';
import type { ChoiceOption, ContentIndex } from '../core/content.ts';
import { variantKey } from '../core/content.ts';
import { findVersion } from '../core/audience.ts';
import { offerOrder } from '../core/language.ts';
import { changesForRegion, formatDate, formatInstant, noticeLinks, requireTemplate, requireTemplateData, renderHtml, TEMPLATE_FALLBACK_LANGUAGE, templateLanguage, templateLanguages } from './email.ts';
import type { ChoiceClosedReason, ChoiceView, RecordedChoice } from './choices.ts';

interface PageStrings {
  readonly options: Record<ChoiceOption, { label: string; description: string }>;
  readonly defaulted: string;
  readonly titles: Record<'choice' | 'confirmation' | 'error', string>;
}

export interface RenderedPage {
  readonly language: string;
  readonly html: string;
}

let languages: readonly string[] | undefined;
/**
 * Languages the choice pages exist in (the compiled `templates/pages/<lang>/`, which the build
 * keeps complete for every notice language); the templates' fallback language first.
 */
export const pageLanguages = (): readonly string[] =>
  (languages ??= offerOrder(
    templateLanguages((path) => /^pages\/([a-z]{2,3})\/choice\.html$/.exec(path)?.[1]),
    TEMPLATE_FALLBACK_LANGUAGE,
  ));

const pageLanguage = (preferred: readonly string[]): string => templateLanguage(preferred, (language) => `pages/${language}/choice.html`);

const stringsCache = new Map<string, PageStrings>();
const stringsFor = (language: string): PageStrings => {
  let strings = stringsCache.get(language);
  if (!strings) {
    strings = requireTemplateData<PageStrings>(`pages/${language}/strings.yaml`);
    stringsCache.set(language, strings);
  }
  return strings;
};

const partials = () => ({ head: requireTemplate('pages/_head.html'), foot: requireTemplate('pages/_foot.html') });

let styleHash: string | undefined;
/** The CSP source for the pages' one inline `<style>` block. */
const styleSource = (): string => {
  if (!styleHash) {
    const style = /<style>([\s\S]*?)<\/style>/.exec(requireTemplate('pages/_head.html'))?.[1] ?? '';
    styleHash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
  }
  return styleHash;
};

/** Headers every choice page carries: never cached, never leaks the capability URL, nothing but our style. */
export const pageSecurityHeaders = (): Record<string, string> => ({
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': `default-src 'none'; style-src ${styleSource()}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
});

const render = (language: string, page: 'choice' | 'confirmation' | 'error', view: object): string => {
  const { head, foot } = partials();
  // Partials are ours, not data: inline them before rendering so they share the escaping.
  const template = requireTemplate(`pages/${language}/${page}.html`).replace('{{> head}}', head).replace('{{> foot}}', foot);
  return renderHtml(template, { lang: language, pageTitle: stringsFor(language).titles?.[page] ?? '', ...view });
};

const noticeFacts = (content: ContentIndex, view: ChoiceView, language: string) => {
  const { notice, version } = findVersion(content, view.campaign.noticeId, view.campaign.version);
  const contentLanguage = version.languages.includes(language) ? language : notice.defaultLanguage;
  const variant = version.variants[variantKey(view.region, contentLanguage)] ?? version.variants[variantKey('global', contentLanguage)];
  const changes = changesForRegion(version.changes, view.region)
    .filter((change) => change.kind === 'material' && change.effect === 'lowers')
    .map((change) => ({
      title: variant?.sections.find((section) => section.id === change.sectionId)?.title ?? change.sectionId,
      summary: change.summary[contentLanguage] ?? change.summary[notice.defaultLanguage] ?? '',
    }));
  return {
    noticeTitle: notice.title[language] ?? notice.title[notice.defaultLanguage] ?? notice.noticeId,
    version: version.version,
    effectiveDate: formatDate(version.effectiveDate, language),
    deadline: formatInstant(view.campaign.deadline, language),
    changes,
    // Relative links: the page is served from the same origin as the notices.
    ...noticeLinks('', view.campaign.noticeId, version.version, view.region, contentLanguage),
  };
};

const describeChoice = (strings: PageStrings, choice: RecordedChoice, language: string) => ({
  label: strings.options[choice.option].label + (choice.defaulted ? ` (${strings.defaulted})` : ''),
  description: strings.options[choice.option].description,
  at: formatInstant(choice.at, language),
});

/** The choice page: the options (one preselected from `?option=` or the current choice), the deadline. */
export const renderChoicePage = (content: ContentIndex, view: ChoiceView, preselect?: ChoiceOption): RenderedPage => {
  const language = pageLanguage([view.language]);
  const strings = stringsFor(language);
  const selected = preselect && view.options.includes(preselect) ? preselect : view.current?.option;
  const html = render(language, 'choice', {
    ...noticeFacts(content, view, language),
    options: view.options.map((value) => ({ value, ...strings.options[value], checked: value === selected })),
    current: view.current ? describeChoice(strings, view.current, language) : undefined,
  });
  return { language, html };
};

/** The confirmation page after a recorded choice. */
export const renderConfirmationPage = (content: ContentIndex, view: ChoiceView, choice: RecordedChoice): RenderedPage => {
  const language = pageLanguage([view.language]);
  const html = render(language, 'confirmation', { ...noticeFacts(content, view, language), ...describeChoice(stringsFor(language), choice, language) });
  return { language, html };
};

/** A friendly error page for browsers, in the first available of the given languages; a closed choice shows why, and what was recorded. */
export const renderErrorPage = (
  status: number,
  preferredLanguages: readonly string[],
  recorded?: RecordedChoice,
  reason?: ChoiceClosedReason | 'cross-site' | 'too-many-changes',
): RenderedPage => {
  const language = pageLanguage(preferredLanguages);
  const html = render(language, 'error', {
    status,
    recorded: recorded ? describeChoice(stringsFor(language), recorded, language) : undefined,
    gone: status === 410 && reason !== 'accepted',
    goneAccepted: status === 410 && reason === 'accepted',
    tooManyChanges: reason === 'too-many-changes',
    crossSite: reason === 'cross-site',
    invalid: (status === 403 && reason !== 'cross-site') || status === 401,
    badRequest: status === 400 || status === 413 || status === 415 || status === 422,
    notFound: status === 404 || status === 405,
    unexpected: status >= 500,
  });
  return { language, html };
};
