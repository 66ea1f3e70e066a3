/**
 * A language is complete or refused: every language a notice is written in needs the email
 * templates, the choice-page templates and their strings, and a name for every region, in that
 * language. Without this a Korean notice would reach a Korean customer in an English email.
 */
import { join } from 'node:path';
import type { ProblemCollector } from './errors.ts';
import type { SourceFile } from './source.ts';
import type { ValidNotice } from './validate.ts';
import type { CompiledTemplates, RegionCatalogue } from '../functions/core/content.ts';

/** What the email and choice-page renderers read for one language (`{lang}` replaced). */
export const LANGUAGE_TEMPLATES = [
  'emails/{lang}/choice.html',
  'emails/{lang}/choice.txt',
  'emails/{lang}/informational.html',
  'emails/{lang}/informational.txt',
  'emails/{lang}/subjects.yaml',
  'emails/{lang}/strings.yaml',
  'pages/{lang}/choice.html',
  'pages/{lang}/confirmation.html',
  'pages/{lang}/error.html',
  'pages/{lang}/strings.yaml',
] as const;

const PER_LANGUAGE_PATH = /^(emails|pages)\/([a-z]{2,3})\/(.+)$/;

export interface LanguageCheckInput {
  readonly templatesDir: string;
  readonly templates: CompiledTemplates;
  readonly notices: readonly ValidNotice[];
  readonly catalogue: RegionCatalogue;
  readonly catalogueFile: SourceFile;
}

/**
 * Reports, per language of any notice (at the first translation written in it): each missing
 * template (the renderers' list, plus any file another language has), each string another
 * language's YAML of the same name has and this one lacks (compared with the notice's default
 * language), and each region without a name in it.
 */
export const checkCompleteLanguages = (input: LanguageCheckInput, problems: ProblemCollector): void => {
  const { templates, catalogue } = input;
  const present = new Set([...Object.keys(templates.text), ...Object.keys(templates.data)]);
  // Every per-language file any language has, as a pattern: a new page in en is needed in ko too.
  const required = new Set<string>(LANGUAGE_TEMPLATES);
  for (const path of present) {
    const match = PER_LANGUAGE_PATH.exec(path);
    if (match) required.add(`${match[1]}/{lang}/${match[3]}`);
  }

  const firstUse = new Map<string, { file: string; noticeId: string; version: number; defaultLanguage: string }>();
  for (const notice of input.notices) {
    for (const version of notice.versions) {
      for (const translation of version.translations) {
        if (!firstUse.has(translation.language)) {
          firstUse.set(translation.language, { file: translation.file, noticeId: notice.noticeId, version: version.version, defaultLanguage: notice.defaultLanguage });
        }
      }
    }
  }

  for (const [language, use] of firstUse) {
    const written = `notice '${use.noticeId}' v${use.version} is written in '${language}'`;
    for (const pattern of [...required].sort()) {
      const path = pattern.replace('{lang}', language);
      const file = join(input.templatesDir, path);
      if (!present.has(path) && !problems.hasProblemIn(file)) problems.add(use.file, 1, `${written}, but ${file} is missing: every language of a notice needs its emails and pages`);
    }
    for (const pattern of [...required].filter((candidate) => /\.ya?ml$/.test(candidate)).sort()) {
      const path = pattern.replace('{lang}', language);
      const reference = [use.defaultLanguage, 'en', ...firstUse.keys()].map((candidate) => pattern.replace('{lang}', candidate)).find((candidate) => candidate !== path && candidate in templates.data);
      if (!(path in templates.data) || reference === undefined || problems.hasProblemIn(join(input.templatesDir, path))) continue;
      const have = new Set(leafPaths(templates.data[path]));
      for (const key of leafPaths(templates.data[reference])) {
        if (!have.has(key)) problems.add(join(input.templatesDir, path), 1, `'${key}' is missing in '${language}' (${join(input.templatesDir, reference)} has it): ${written}`);
      }
    }
    for (const region of catalogue.regions) {
      if (!(language in region.name)) {
        problems.add(input.catalogueFile.path, lineOfRegion(input.catalogueFile.content, region.id), `region '${region.id}' has no name in '${language}': ${written}`);
      }
    }
  }
};

/** `a.b.c` for every leaf of a parsed YAML document (arrays count as leaves). */
const leafPaths = (value: unknown, prefix = ''): string[] => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix === '' ? [] : [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
};

/** The line of the region's `name:` in regions.yaml (its `- id:` line without one, 1 when neither is found). */
const lineOfRegion = (text: string, regionId: string): number => {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => new RegExp(`^\\s*-\\s*id:\\s*${regionId}\\s*(#.*)?$`).test(line));
  if (index === -1) return 1;
  const name = lines.slice(index + 1, index + 6).findIndex((line) => /^\s*name:/.test(line));
  return name === -1 ? index + 1 : index + name + 2;
};
