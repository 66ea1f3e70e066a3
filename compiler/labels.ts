/** The few words the rendered documents add around the authored text, per language. */
export interface DocumentLabels {
  readonly effectiveDate: string;
  readonly lastUpdated: string;
  readonly contents: string;
  /** Between a label and its value: `: ` in English, a full-width colon in Japanese. */
  readonly separator: string;
}

const LABELS: Readonly<Record<string, DocumentLabels>> = {
  en: { effectiveDate: 'Effective date', lastUpdated: 'Last updated', contents: 'Contents', separator: ': ' },
  ja: { effectiveDate: '適用開始日', lastUpdated: '最終更新日', contents: '目次', separator: '：' },
};

/** Labels for `language`; a language without its own falls back to English. */
export const labelsFor = (language: string): DocumentLabels => LABELS[language] ?? (LABELS.en as DocumentLabels);

/** `2026-03-01` as a reader of `language` writes it (`1 March 2026`, `2026年3月1日`), in UTC. */
export const formatDate = (isoDate: string, language: string): string =>
  new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
