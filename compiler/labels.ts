/**
 * The words the rendered documents (the notice page, its Markdown, the diff page, the version-history
 * page) add around the authored text, read from `templates/pages/<lang>/strings.yaml` (`notice:`, `diff:`, `history:`). The build
 * refuses a notice language whose page strings are missing or incomplete.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProblemCollector } from './errors.ts';
import { parseYamlFile } from './parse-yaml.ts';
import { documentStringsFileSchema, type DocumentStrings } from './schemas.ts';

export type { DocumentStrings } from './schemas.ts';

/** The page strings of each language in `languages`; a missing file or key is a problem, and the language is left out. */
export const readDocumentStrings = (templatesDir: string, languages: Iterable<string>, problems: ProblemCollector): Map<string, DocumentStrings> => {
  const strings = new Map<string, DocumentStrings>();
  for (const language of new Set(languages)) {
    const file = join(templatesDir, 'pages', language, 'strings.yaml');
    if (!existsSync(file)) {
      problems.add(file, 1, `missing: the notice is written in '${language}', so its pages need their words (notice:, diff:, history:) in pages/${language}/strings.yaml`);
      continue;
    }
    const parsed = parseYamlFile(file, readFileSync(file, 'utf8'), documentStringsFileSchema, problems);
    if (parsed) strings.set(language, { notice: parsed.value.notice, diff: parsed.value.diff, history: parsed.value.history });
  }
  return strings;
};

/** `template` with each `{{name}}` replaced by its value: plain text, to be escaped where it is written. */
export const fill = (template: string, values: Readonly<Record<string, string | number>>): string =>
  template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));

/** `2026-03-01` as a reader of `language` writes it (`1 March 2026`, `2026年3月1日`), in UTC. */
export const formatDate = (isoDate: string, language: string): string =>
  new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
