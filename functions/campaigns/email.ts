/**
 * The change-notice email, rendered once per (campaign, region, language) as SES template parts.
 *
 * Mustache escapes every value we put in; the per-recipient links stay as SES placeholders
 * (`{{acceptUrl}}` …) that the sender fills with `ReplacementTemplateData`. SES would read any
 * `{{` coming from content as a placeholder too, so values are neutralised for that as well.
 * Templates come from the compiled templates bundled with the code, never from files.
 *
 * The options are data like on the choice page: the templates loop over `{{#options}}`, each with
 * its link and its words from `emails/<lang>/strings.yaml`, in the definition's order.
 */
import Mustache from 'mustache';
import { compiledTemplates } from '../content/templates-artifact.ts';
import type { ContentIndex, DeclaredChange, IndexedNotice, LanguageTag } from '../core/content.ts';
import { variantKey } from '../core/content.ts';
import { findVersion, planAudience } from '../core/audience.ts';
import { CHOICE_OPTION_IDS, optionLinkPlaceholder, type ChoiceOption } from '../core/choice-options.ts';
import { escapeHtml } from '../core/html.ts';

export type CampaignEmailKind = 'choice' | 'reminder' | 'informational';

export interface CampaignEmailInput {
  readonly content: ContentIndex;
  readonly noticeId: string;
  readonly version: number;
  readonly region: string;
  readonly language: string;
  readonly kind: CampaignEmailKind;
  /** ISO 8601 instant. */
  readonly deadline: string;
  /** Origin the links point to, e.g. `https://privacy.example.com` (no trailing slash needed). */
  readonly publicBaseUrl: string;
}

export interface CampaignEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** The per-recipient SES placeholders the sender fills (values HTML-escaped by the sender): one link per option, and the page. */
export const RECIPIENT_PLACEHOLDERS = [...CHOICE_OPTION_IDS.map(optionLinkPlaceholder), 'choiceUrl' as const];

/** An option's words in one language (`emails/<lang>/strings.yaml`): mustache over the email's values, plain text. */
interface EmailOptionStrings {
  readonly label: string;
  readonly description: string;
  /** The plain-text email's line, which has no description under it. @default label */
  readonly textLabel?: string;
}

interface EmailStrings {
  readonly options: Partial<Record<ChoiceOption, EmailOptionStrings>>;
}

/** The language of the templates when none of the preferred ones has the template. */
export const TEMPLATE_FALLBACK_LANGUAGE = 'en';

/** A template the rendering needs is not in the compiled templates (`.build/templates.json`). */
export class TemplateMissingError extends Error {
  constructor(relativePath: string) {
    super(`template ${relativePath} is not in the compiled templates (run \`npm run cli -- build\`)`);
    this.name = 'TemplateMissingError';
  }
}

/** An HTML or text template's source, or a `TemplateMissingError`: never render an empty email or page. */
export const requireTemplate = (relativePath: string): string => {
  const text = readTemplate(relativePath);
  if (text === undefined) throw new TemplateMissingError(relativePath);
  return text;
};

/** A YAML template, parsed by the content build, or a `TemplateMissingError`. */
export const requireTemplateData = <T>(relativePath: string): T => {
  const data = compiledTemplates.data[relativePath];
  if (data === undefined) throw new TemplateMissingError(relativePath);
  return data as T;
};

/** An HTML or text template's source (paths as under `templates/`), or undefined if there is none. */
export const readTemplate = (relativePath: string): string | undefined => compiledTemplates.text[relativePath];

/** The first language of `preferred` that has `relativePath(language)`, else English. */
export const templateLanguage = (preferred: readonly string[], relativePath: (language: string) => string): string =>
  preferred.find((language) => readTemplate(relativePath(language)) !== undefined) ?? TEMPLATE_FALLBACK_LANGUAGE;

/** The languages some compiled template path names (`language(path)`), sorted. */
export const templateLanguages = (language: (path: string) => string | undefined): string[] =>
  [...new Set(Object.keys(compiledTemplates.text).map(language).filter((found): found is string => found !== undefined))].sort();

/** Plain text needs no HTML escaping, only that `{{`/`}}` cannot reach SES as a placeholder. */
export const neutraliseBraces = (value: unknown): string => String(value).replace(/\{(?=\{)/g, '{ ').replace(/\}(?=\})/g, '} ');

/** Render an HTML template: every `{{value}}` is escaped; `{{{x}}}` only for values we built ourselves. */
export const renderHtml = (template: string, view: object): string => Mustache.render(template, view, {}, { escape: escapeHtml });

/** Render a text template (mail body, subject). */
export const renderText = (template: string, view: object): string => Mustache.render(template, view, {}, { escape: neutraliseBraces });

/** Render a string of ours to plain text, unescaped: it is escaped once, where a template puts it. */
const renderPlain = (template: string, view: object): string => Mustache.render(template, view, {}, { escape: String });

const dateFormats = new Map<string, { date: Intl.DateTimeFormat; dateTime: Intl.DateTimeFormat }>();
const formatsFor = (language: string) => {
  let formats = dateFormats.get(language);
  if (!formats) {
    const locale = language === 'en' ? 'en-GB' : language;
    formats = {
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }),
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
    };
    dateFormats.set(language, formats);
  }
  return formats;
};

/** A calendar date (`YYYY-MM-DD` or an instant) in the reader's language, e.g. `1 February 2027`, `2027年2月1日`. */
export const formatDate = (value: string, language: string): string => formatsFor(language).date.format(new Date(value));

/** An instant in the reader's language, in UTC and saying so. */
export const formatInstant = (value: string, language: string): string => `${formatsFor(language).dateTime.format(new Date(value))} UTC`;

/** The declared changes that apply to a region: common sections and the region's own. */
export const changesForRegion = (changes: readonly DeclaredChange[], region: string): DeclaredChange[] =>
  changes.filter((change) => change.region === null || change.region === region);

/** The summary of a change in `language`, falling back to the notice's default language. */
const summaryIn = (change: DeclaredChange, language: LanguageTag, notice: IndexedNotice): string =>
  change.summary[language] ?? change.summary[notice.defaultLanguage] ?? Object.values(change.summary)[0] ?? '';

/** The links to the notice and the diff, for a region and language. */
export const noticeLinks = (publicBaseUrl: string, noticeId: string, version: number, region: string, language: string) => {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const notice = encodeURIComponent(noticeId);
  const query = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return {
    noticeUrl: `${base}/v1/notices/${notice}?${query({ version, region, lang: language, format: 'html' })}`,
    diffUrl: `${base}/v1/notices/${notice}/diff?${query({ from: Math.max(1, version - 1), to: version, region, lang: language, format: 'html' })}`,
  };
};

/** The options a region is offered for a version (the audience rules'), every option if it is not a choice region. */
export const optionsFor = (content: ContentIndex, noticeId: string, version: number, region: string): readonly ChoiceOption[] =>
  planAudience(content, noticeId, version).regions.find((plan) => plan.region === region && plan.notification === 'choice')?.options ??
  CHOICE_OPTION_IDS;

/** The options of the email, in the definition's order: each with its SES link placeholder and its words rendered over `view`. */
const emailOptions = (language: string, options: readonly ChoiceOption[], view: object) => {
  if (options.length === 0) return [];
  const strings = requireTemplateData<EmailStrings>(`emails/${language}/strings.yaml`);
  return options.map((option) => {
    const words = strings.options?.[option];
    if (!words) throw new TemplateMissingError(`emails/${language}/strings.yaml (options.${option})`);
    return {
      option,
      // Passed through unescaped (`{{{url}}}`): the SES placeholder itself.
      url: `{{${optionLinkPlaceholder(option)}}}`,
      label: renderPlain(words.label, view),
      description: renderPlain(words.description, view),
      textLabel: renderPlain(words.textLabel ?? words.label, view),
    };
  });
};

/** Render the SES template parts (subject, HTML, text) of a change-notice email. */
export const renderCampaignEmail = (input: CampaignEmailInput): CampaignEmail => {
  const { notice, version } = findVersion(input.content, input.noticeId, input.version);
  // A reminder is the choice email with another heading and opening line (`{{#reminder}}`).
  const template = input.kind === 'reminder' ? 'choice' : input.kind;
  const language = templateLanguage([input.language, notice.defaultLanguage], (lang) => `emails/${lang}/${template}.html`);
  const contentLanguage = version.languages.includes(input.language) ? input.language : notice.defaultLanguage;
  const variant = version.variants[variantKey(input.region, contentLanguage)] ?? version.variants[variantKey('global', contentLanguage)];
  const titleOf = (sectionId: string) => variant?.sections.find((section) => section.id === sectionId)?.title ?? sectionId;

  const applicable = changesForRegion(version.changes, input.region);
  const material = applicable.filter((change) => change.kind === 'material' && (input.kind === 'informational' || change.effect !== 'raises'));
  // A choice email lists what lowers protection first: that is what the reader is asked about.
  const ordered = [...material].sort((a, b) => Number(b.effect === 'lowers') - Number(a.effect === 'lowers'));
  const options = input.kind === 'informational' ? [] : optionsFor(input.content, input.noticeId, input.version, input.region);

  const view = {
    noticeTitle: notice.title[language] ?? notice.title[notice.defaultLanguage] ?? notice.noticeId,
    version: version.version,
    previousVersion: Math.max(1, version.version - 1),
    effectiveDate: formatDate(version.effectiveDate, language),
    deadline: formatInstant(input.deadline, language),
    deadlineDate: formatDate(input.deadline, language),
    changes: ordered.map((change) => ({ title: titleOf(change.sectionId), summary: summaryIn(change, contentLanguage, notice) })),
    reminder: input.kind === 'reminder',
    hasEditorial: applicable.some((change) => change.kind === 'editorial'),
    ...noticeLinks(input.publicBaseUrl, input.noticeId, input.version, input.region, contentLanguage),
    // Passed through unescaped (`{{{…}}}`): the SES placeholders themselves.
    ...Object.fromEntries(RECIPIENT_PLACEHOLDERS.map((name) => [name, `{{${name}}}`])),
  };

  const withOptions = { ...view, options: emailOptions(language, options, view) };
  const subjects = requireTemplateData<Record<string, string>>(`emails/${language}/subjects.yaml`);
  const subject = renderText(subjects[input.kind] ?? '{{noticeTitle}}', view).replace(/\s+/g, ' ').trim();
  return {
    subject,
    html: renderHtml(requireTemplate(`emails/${language}/${template}.html`), { ...withOptions, subject }),
    text: renderText(requireTemplate(`emails/${language}/${template}.txt`), withOptions),
  };
};
