/**
 * Cross-file rules of the templates: translations agree on their sections, regions exist, versions
 * and dates are in order, and every text change is declared (and every declaration is a change).
 */
import { GLOBAL_REGION } from './catalogue.ts';
import type { ProblemCollector } from './errors.ts';
import { parseNoticeMarkdown, type SourceSection } from './parse-markdown.ts';
import { parseYamlFile, type ParsedYaml } from './parse-yaml.ts';
import { noticeFileSchema, versionFileSchema, type ChangeFile, type VersionFile } from './schemas.ts';
import type { NoticeTree, VersionTree } from './source.ts';
import { CHOICE_OPTION_IDS } from '../functions/core/choice-options.ts';
import type { ChoiceOption, DeclaredChange, RegionCatalogue } from '../functions/core/content.ts';

export interface ValidTranslation {
  readonly language: string;
  readonly file: string;
  readonly sections: readonly SourceSection[];
}

export interface ValidVersion {
  readonly version: number;
  readonly effectiveDate: string;
  /** The default language first, then the others alphabetically. */
  readonly languages: readonly string[];
  readonly translations: readonly ValidTranslation[];
  readonly sections: readonly { readonly id: string; readonly region: string | null }[];
  readonly changes: readonly DeclaredChange[];
}

export interface ValidNotice {
  readonly noticeId: string;
  readonly title: Readonly<Record<string, string>>;
  readonly defaultLanguage: string;
  readonly versions: readonly ValidVersion[];
}

/** Choices offered for a change that lowers protection of previously collected data, unless it names its own. */
export const DEFAULT_CHOICES: readonly ChoiceOption[] = CHOICE_OPTION_IDS;

interface ParsedVersion {
  readonly tree: VersionTree;
  readonly version: number;
  readonly versionFile: ParsedYaml<VersionFile> | undefined;
  readonly translations: readonly ValidTranslation[];
  /** The translation the others are compared with (the default language's, when present). */
  readonly reference: ValidTranslation | undefined;
}

/** Checks one notice against every rule; returns it only when nothing was wrong with it. */
export const validateNotice = (tree: NoticeTree, catalogue: RegionCatalogue | undefined, problems: ProblemCollector): ValidNotice | undefined => {
  const before = problems.count;
  const noticeFile = tree.noticeFile ? parseYamlFile(tree.noticeFile.path, tree.noticeFile.content, noticeFileSchema, problems) : undefined;
  const defaultLanguage = noticeFile?.value.defaultLanguage;

  if (noticeFile && tree.noticeFile && !(noticeFile.value.defaultLanguage in noticeFile.value.title)) {
    problems.add(tree.noticeFile.path, noticeFile.lineOf(['title']), `title has no '${noticeFile.value.defaultLanguage}' entry for the default language`);
  }

  const ordered = orderVersions(tree, problems);
  if (ordered.length === 0) problems.add(tree.dir, 1, 'a notice needs at least one version directory (v1/)');

  const regionIds = new Set((catalogue?.regions ?? []).map((region) => region.id).filter((id) => id !== GLOBAL_REGION));
  const versions: ValidVersion[] = [];
  let previous: ParsedVersion | undefined;
  let previousDate: string | undefined;

  let previousIsClean = false;

  for (const entry of ordered) {
    const problemsBefore = problems.count;
    const current = parseVersion(entry, defaultLanguage, problems);
    checkTranslationsAgree(current, problems);
    if (catalogue) checkRegions(current, regionIds, problems);
    const currentIsClean = problems.count === problemsBefore;
    if (noticeFile && tree.noticeFile) {
      for (const translation of current.translations) {
        if (!(translation.language in noticeFile.value.title)) {
          problems.add(tree.noticeFile.path, noticeFile.lineOf(['title']), `title has no '${translation.language}' entry, but ${translation.file} exists`);
        }
      }
    }
    if (defaultLanguage && current.translations.length > 0 && !current.translations.some((t) => t.language === defaultLanguage)) {
      problems.add(current.tree.dir, 1, `the default language '${defaultLanguage}' has no translation (${defaultLanguage}.md)`);
    }

    const versionYaml = current.versionFile;
    const versionPath = current.tree.versionFile?.path ?? current.tree.dir;
    if (versionYaml) {
      const date = versionYaml.value.effectiveDate;
      if (previousDate !== undefined && date <= previousDate) {
        problems.add(versionPath, versionYaml.lineOf(['effectiveDate']), `effectiveDate ${date} must be after the previous version's (${previousDate})`);
      }
      previousDate = date;
      checkChangeDeclarations(current, versionPath, versionYaml, problems);
      if (current.version === 1 && Object.keys(versionYaml.value.changes).length > 0) {
        problems.add(versionPath, versionYaml.lineOf(['changes']), 'version 1 has no previous version: it declares no changes');
      }
      // Comparing against a version whose own sections are broken would only echo its problems.
      if (previous && previousIsClean && currentIsClean) checkChangesMatchText(tree.noticeId, previous, current, versionPath, versionYaml, problems);
    }

    if (versionYaml && current.reference) {
      versions.push({
        version: current.version,
        effectiveDate: versionYaml.value.effectiveDate,
        languages: current.translations.map((t) => t.language),
        translations: current.translations,
        sections: current.reference.sections.map(({ id, region }) => ({ id, region })),
        changes: compiledChanges(previous, current, versionYaml.value),
      });
    }
    previous = current;
    previousIsClean = currentIsClean;
  }

  if (problems.count > before || !noticeFile || !defaultLanguage) return undefined;
  return { noticeId: tree.noticeId, title: noticeFile.value.title, defaultLanguage, versions };
};

/** Versions sorted by number; they must be exactly v1..vN. */
const orderVersions = (tree: NoticeTree, problems: ProblemCollector): { tree: VersionTree; version: number }[] => {
  const numbered = tree.versions
    .map((version) => ({ tree: version, version: Number(version.name.slice(1)) }))
    .sort((a, b) => a.version - b.version);
  numbered.forEach((entry, index) => {
    if (entry.version !== index + 1 || entry.tree.name !== `v${entry.version}`) {
      problems.add(entry.tree.dir, 1, `versions are numbered v1..vN without gaps: found ${entry.tree.name} where v${index + 1} was expected`);
    }
  });
  return numbered;
};

const parseVersion = (
  entry: { tree: VersionTree; version: number },
  defaultLanguage: string | undefined,
  problems: ProblemCollector,
): ParsedVersion => {
  const { tree } = entry;
  const versionFile = tree.versionFile ? parseYamlFile(tree.versionFile.path, tree.versionFile.content, versionFileSchema, problems) : undefined;
  const translations = tree.translations
    .map(({ language, file }) => ({ language, file: file.path, sections: parseNoticeMarkdown(file.path, file.content, problems) }))
    .sort((a, b) => (a.language === defaultLanguage ? -1 : b.language === defaultLanguage ? 1 : a.language < b.language ? -1 : 1));
  const reference = translations.find((t) => t.language === defaultLanguage) ?? translations[0];
  return { tree, version: entry.version, versionFile, translations, reference };
};

/** Every translation has the reference's sections, with the same ids, order and regions. */
const checkTranslationsAgree = (version: ParsedVersion, problems: ProblemCollector): void => {
  const reference = version.reference;
  if (!reference) return;
  const referenceIds = reference.sections.map((section) => section.id);
  for (const translation of version.translations) {
    if (translation === reference) continue;
    const ids = new Set(translation.sections.map((section) => section.id));
    reference.sections.forEach((section, index) => {
      if (ids.has(section.id)) return;
      // Point where the section belongs: at the next section this translation does have.
      const next = reference.sections.slice(index + 1).find((candidate) => ids.has(candidate.id));
      const line = translation.sections.find((candidate) => candidate.id === next?.id)?.line ?? lastLine(translation);
      problems.add(translation.file, line, `section '${section.id}' (${reference.file}:${section.line}) is missing from this translation`);
    });
    for (const section of translation.sections) {
      const counterpart = reference.sections.find((candidate) => candidate.id === section.id);
      if (!counterpart) {
        problems.add(translation.file, section.line, `section '${section.id}' is not in ${reference.file}: translations must have the same sections`);
      } else if (counterpart.region !== section.region) {
        problems.add(translation.file, section.line, `section '${section.id}' has region ${section.region ?? '(common)'} here but ${counterpart.region ?? '(common)'} in ${reference.file}`);
      }
    }
    // Compare the order of the sections both have, so a missing one is not also reported as misplaced.
    const shared = translation.sections.filter((section) => referenceIds.includes(section.id));
    const expected = referenceIds.filter((id) => ids.has(id));
    shared.forEach((section, index) => {
      if (section.id !== expected[index]) {
        problems.add(translation.file, section.line, `section '${section.id}' is out of order: ${reference.file} has '${expected[index]}' at this position`);
      }
    });
  }
};

const checkRegions = (version: ParsedVersion, regionIds: ReadonlySet<string>, problems: ProblemCollector): void => {
  for (const translation of version.translations) {
    for (const section of translation.sections) {
      if (section.region === null) continue;
      if (section.region === GLOBAL_REGION) {
        problems.add(translation.file, section.line, `section '${section.id}': common sections carry no region (drop region=${GLOBAL_REGION})`);
      } else if (!regionIds.has(section.region)) {
        problems.add(translation.file, section.line, `section '${section.id}': unknown region '${section.region}' (regions.yaml has ${[...regionIds].join(', ')})`);
      }
    }
  }
};

/** The shape rules YAML cannot express: material needs effect and scope, summaries in every language. */
const checkChangeDeclarations = (version: ParsedVersion, file: string, yaml: ParsedYaml<VersionFile>, problems: ProblemCollector): void => {
  const languages = version.translations.map((t) => t.language);
  for (const [sectionId, change] of Object.entries(yaml.value.changes)) {
    const at = (key?: string): number => yaml.lineOf(key ? ['changes', sectionId, key] : ['changes', sectionId]);
    if (change.kind === 'material') {
      if (!change.effect) problems.add(file, at(), `change to '${sectionId}' is material but has no effect (raises, neutral or lowers)`);
      if (!change.scope) problems.add(file, at(), `change to '${sectionId}' is material but has no scope (new-data or previously-collected)`);
    } else {
      if (change.effect) problems.add(file, at('effect'), `change to '${sectionId}' is editorial: an effect only applies to material changes`);
      if (change.scope) problems.add(file, at('scope'), `change to '${sectionId}' is editorial: a scope only applies to material changes`);
    }
    if (change.choices && !requiresChoice(change)) {
      problems.add(file, at('choices'), `change to '${sectionId}' offers choices, but only a material change that lowers protection of previously collected data does`);
    }
    if (change.choices && new Set(change.choices).size !== change.choices.length) {
      problems.add(file, at('choices'), `change to '${sectionId}' lists a choice twice`);
    }
    for (const language of languages) {
      if (!(language in change.summary)) problems.add(file, at('summary'), `change to '${sectionId}' has no summary in '${language}'`);
    }
    for (const language of Object.keys(change.summary)) {
      if (!languages.includes(language)) problems.add(file, yaml.lineOf(['changes', sectionId, 'summary', language]), `change to '${sectionId}' has a summary in '${language}', which this version has no translation for`);
    }
  }
};

/** No silent edits: a section whose text changed in any language is declared, and nothing else is. */
const checkChangesMatchText = (
  noticeId: string,
  previous: ParsedVersion,
  current: ParsedVersion,
  file: string,
  yaml: ParsedYaml<VersionFile>,
  problems: ProblemCollector,
): void => {
  const declared = yaml.value.changes;
  const changed = changedSections(previous, current);
  const currentReference = current.reference;
  for (const [sectionId, languages] of changed) {
    if (sectionId in declared) continue;
    const section = currentReference?.sections.find((candidate) => candidate.id === sectionId);
    const where = section && currentReference ? `${currentReference.file}:${section.line}` : `v${previous.version} (removed)`;
    problems.add(
      section && currentReference ? currentReference.file : file,
      section?.line ?? 1,
      `section '${sectionId}' changed since v${previous.version} (${languages.join(', ')}; ${where}) but ${file} declares no change for it`,
    );
  }
  // A change reaches every language: one whose text changed in en but not in ja is half translated.
  const inBoth = current.translations.filter((translation) => previous.translations.some((before) => before.language === translation.language));
  for (const sectionId of Object.keys(declared)) {
    const languages = changed.get(sectionId);
    if (!languages) continue;
    for (const translation of inBoth) {
      if (languages.includes(translation.language)) continue;
      const section = translation.sections.find((candidate) => candidate.id === sectionId);
      problems.add(
        translation.file,
        section?.line ?? 1,
        `notice '${noticeId}' v${current.version} declares a change to '${sectionId}' and its text changed in ${languages.join(', ')}, ` +
          `but not in '${translation.language}' (identical to v${previous.version}): translate the change into every language`,
      );
    }
  }
  for (const sectionId of Object.keys(declared)) {
    if (changed.has(sectionId)) continue;
    const exists = [previous, current].some((version) => version.reference?.sections.some((section) => section.id === sectionId));
    problems.add(
      file,
      yaml.lineOf(['changes', sectionId]),
      exists
        ? `declares a change to '${sectionId}', but its text is identical to v${previous.version} in every language`
        : `declares a change to '${sectionId}', which is not a section of v${previous.version} or v${current.version}`,
    );
  }
};

/** Section id → the languages in which it was added, removed or edited (title, text or region). */
const changedSections = (previous: ParsedVersion, current: ParsedVersion): Map<string, string[]> => {
  const changed = new Map<string, string[]>();
  for (const translation of current.translations) {
    const before = previous.translations.find((candidate) => candidate.language === translation.language);
    if (!before) continue; // a new translation is not an edit of an existing text
    const ids = new Set([...before.sections, ...translation.sections].map((section) => section.id));
    for (const id of ids) {
      const a = before.sections.find((section) => section.id === id);
      const b = translation.sections.find((section) => section.id === id);
      if (a?.title === b?.title && a?.markdown === b?.markdown && a?.region === b?.region) continue;
      changed.set(id, [...(changed.get(id) ?? []), translation.language]);
    }
  }
  return changed;
};

const requiresChoice = (change: Pick<ChangeFile, 'kind' | 'effect' | 'scope'>): boolean =>
  change.kind === 'material' && change.effect === 'lowers' && change.scope === 'previously-collected';

/** Declared changes in the order of the sections they concern (removed sections last). */
const compiledChanges = (previous: ParsedVersion | undefined, current: ParsedVersion, file: VersionFile): DeclaredChange[] => {
  const order = [...(current.reference?.sections ?? []), ...(previous?.reference?.sections ?? [])];
  const position = (id: string): number => {
    const index = order.findIndex((section) => section.id === id);
    return index === -1 ? order.length : index;
  };
  return Object.entries(file.changes)
    .sort(([a], [b]) => position(a) - position(b))
    .map(([sectionId, change]) => ({
      sectionId,
      kind: change.kind,
      ...(change.effect ? { effect: change.effect } : {}),
      ...(change.scope ? { scope: change.scope } : {}),
      region: order.find((section) => section.id === sectionId)?.region ?? null,
      summary: Object.fromEntries(current.translations.map((t) => [t.language, change.summary[t.language] ?? ''])),
      ...(change.choices ? { choices: change.choices } : requiresChoice(change) ? { choices: DEFAULT_CHOICES } : {}),
    }));
};

const lastLine = (translation: ValidTranslation): number => {
  const last = translation.sections[translation.sections.length - 1];
  return last ? last.line : 1;
};
