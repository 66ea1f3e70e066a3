/**
 * The content build: `templates/` → `CompiledContent` (every variant pre-rendered and hashed) → `.build/content.json`,
 * plus its slim `ContentIndex` (`.build/content-index.json`) and the run-time templates (`.build/templates.json`).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { noticeFile, openApiFile, servingIndexFile, variantFile, type ServingIndex } from '../functions/content/serving-files.ts';
import { writeArtifactDeclaration } from './artifact-declaration.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { compileCatalogue, servedRegions } from './catalogue.ts';
import { ProblemCollector } from './errors.ts';
import { compileRenderTemplates } from './compile-templates.ts';
import { canonicalRendering, contentHash, sourceHash } from './hash.ts';
import { diffVersions } from '../functions/content/diff.ts';
import { documentSecurityPolicy } from './document-style.ts';
import { readDocumentStrings, type DocumentStrings } from './labels.ts';
import { renderDiffPage } from './render-diff.ts';
import { historyPages } from './render-history.ts';
import { renderHtmlDocument, renderJsonBody, renderMarkdownDocument, renderSectionHtml } from './render.ts';
import { checkCompleteLanguages } from './languages.ts';
import { checkLock, parseLock } from './lock.ts';
import { readTemplateTree, type NoticeTree } from './source.ts';
import { validateNotice, type ValidNotice } from './validate.ts';
import { variantKey, type CompiledContent, type CompiledTemplates, type ContentIndex, type CompiledNotice, type CompiledSection, type CompiledVariant, type CompiledVersion, type RegionCatalogue } from '../functions/core/content.ts';

export interface BuildOptions {
  /** The templates directory; file paths in problems are reported relative to it as given. */
  readonly templatesDir: string;
  /**
   * `include` (the default: validation, previews and fixtures) compiles every version; `exclude`
   * (what is served and deployed) leaves out the drafts, the versions without a publication lock.
   */
  readonly drafts?: 'include' | 'exclude';
  /** `<noticeId>/v<N>` whose lock is not compared (publish --adopt rewrites it). */
  readonly unlocked?: ReadonlySet<string>;
}

/**
 * Compiles the templates. Throws `ContentValidationError` listing every problem (file and line)
 * when anything is wrong; same input gives the same output, byte for byte.
 */
export const buildContent = (options: BuildOptions): CompiledContent => {
  const problems = new ProblemCollector();
  const tree = readTemplateTree(options.templatesDir, problems);
  const catalogue = tree.catalogueFile ? compileCatalogue(tree.catalogueFile.path, tree.catalogueFile.content, problems) : undefined;
  const notices = tree.notices.map((notice) => validateNotice(notice, catalogue, problems));
  problems.throwIfAny();

  // The words of the notice and diff pages, checked by their schema (the renderers need them), then
  // every other part of a complete language; a file the first check reported is not reported again.
  const languages = (notices as ValidNotice[]).flatMap((notice) => notice.versions.flatMap((version) => version.translations.map((translation) => translation.language)));
  const strings = readDocumentStrings(options.templatesDir, languages, problems);
  if (tree.catalogueFile && catalogue) {
    const templates = compileRenderTemplates(options.templatesDir, problems);
    checkCompleteLanguages({ templatesDir: options.templatesDir, templates, notices: notices as ValidNotice[], catalogue, catalogueFile: tree.catalogueFile }, problems);
  }
  problems.throwIfAny();

  const regions = servedRegions(catalogue as RegionCatalogue);
  const compiled = (notices as ValidNotice[]).map((notice) => compileNotice(notice, regions, strings));
  tree.notices.forEach((noticeTree, index) => checkLocks(noticeTree, (notices as ValidNotice[])[index]!, compiled[index]!, options.unlocked, problems));
  problems.throwIfAny();
  const served =
    options.drafts === 'exclude'
      ? compiled
          .map((notice, index) => ({ ...notice, versions: notice.versions.filter((version) => isPublished(tree.notices[index]!, version.version)) }))
          .filter((notice) => notice.versions.length > 0)
      : compiled;
  return {
    schemaVersion: 1,
    // Paths relative to the templates directory: the hash must not depend on where the tree is checked out.
    sourceHash: sourceHash(tree.files.map((file) => ({ path: relative(options.templatesDir, file.path).split('\\').join('/'), content: file.content }))),
    catalogue: catalogue as RegionCatalogue,
    notices: served,
    openapi: JSON.stringify(buildOpenApiDocument()),
    documentSecurityPolicy: documentSecurityPolicy(),
  };
};

/** Compiles `templates/emails/**` and `templates/pages/**`; throws `ContentValidationError` on malformed YAML. */
export const buildRenderTemplates = (options: BuildOptions): CompiledTemplates => {
  const problems = new ProblemCollector();
  const templates = compileRenderTemplates(options.templatesDir, problems);
  problems.throwIfAny();
  return templates;
};

/** The slim index of compiled content: what every Lambda but notices reads, without the pre-rendered documents. */
export const contentIndexOf = (content: CompiledContent): ContentIndex => ({
  schemaVersion: content.schemaVersion,
  sourceHash: content.sourceHash,
  catalogue: content.catalogue,
  notices: content.notices.map((notice) => ({
    noticeId: notice.noticeId,
    title: notice.title,
    defaultLanguage: notice.defaultLanguage,
    regions: notice.regions,
    versions: notice.versions.map((version) => ({
      version: version.version,
      effectiveDate: version.effectiveDate,
      languages: version.languages,
      sections: version.sections,
      changes: version.changes,
      variants: Object.fromEntries(
        Object.entries(version.variants).map(([key, variant]) => [
          key,
          {
            noticeId: variant.noticeId,
            version: variant.version,
            region: variant.region,
            language: variant.language,
            contentHash: variant.contentHash,
            sections: variant.sections.map((section) => ({ id: section.id, title: section.title, region: section.region })),
          },
        ]),
      ),
    })),
  })),
});

/**
 * The notices Lambda's files (`functions/content/serving-files.ts`): a small index, one metadata
 * file per notice, one file per variant, the OpenAPI document. Written as a fresh directory and
 * swapped in, so a reader never sees half of one build and half of another.
 */
export const writeServingFiles = (content: CompiledContent, dir: string): void => {
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const put = (file: string, value: unknown): void => {
    const path = join(staging, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(value));
  };
  const index = contentIndexOf(content);
  const servingIndex: ServingIndex = {
    schemaVersion: 1,
    sourceHash: content.sourceHash,
    catalogue: content.catalogue,
    noticeIds: content.notices.map((notice) => notice.noticeId),
    documentSecurityPolicy: content.documentSecurityPolicy,
  };
  put(servingIndexFile, servingIndex);
  put(openApiFile, content.openapi);
  for (const notice of index.notices) put(noticeFile(notice.noticeId), notice);
  for (const notice of content.notices) {
    for (const version of notice.versions) {
      for (const variant of Object.values(version.variants)) put(variantFile(notice.noticeId, version.version, variant.region, variant.language), variant);
    }
  }
  const retired = `${dir}.${process.pid}.old`;
  if (existsSync(dir)) renameSync(dir, retired);
  renameSync(staging, dir);
  rmSync(retired, { recursive: true, force: true });
};

/** Serialises the artifact: compact and deterministic. */
export const serializeContent = (content: CompiledContent | ContentIndex | CompiledTemplates): string => `${JSON.stringify(content)}\n`;

/**
 * Writes the artifact atomically (other processes may be reading it) and only when its bytes
 * change, so watchers and caches are not disturbed by a no-op build. Returns whether it wrote.
 */
export const writeContentArtifact = (content: CompiledContent | ContentIndex | CompiledTemplates, outFile: string): boolean => {
  writeArtifactDeclaration(outFile);
  const bytes = serializeContent(content);
  let existing: string | undefined;
  try {
    existing = readFileSync(outFile, 'utf8');
  } catch {
    existing = undefined;
  }
  if (existing === bytes) return false;
  mkdirSync(dirname(outFile), { recursive: true });
  const temporary = `${outFile}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, outFile);
  return true;
};

const isPublished = (tree: NoticeTree, version: number): boolean => tree.versions.some((entry) => entry.name === `v${version}` && entry.lockFile !== undefined);

/** Every published version must match its lock, and no draft may come before a published version. */
const checkLocks = (tree: NoticeTree, valid: ValidNotice, compiled: CompiledNotice, unlocked: ReadonlySet<string> | undefined, problems: ProblemCollector): void => {
  let draft: number | undefined;
  valid.versions.forEach((version, index) => {
    const entry = tree.versions.find((candidate) => candidate.name === `v${version.version}`);
    if (!entry?.lockFile) {
      draft ??= version.version;
      return;
    }
    if (draft !== undefined) problems.add(entry.lockFile.path, 1, `version ${version.version} is published but version ${draft} is still a draft: publish v${draft} first`);
    if (unlocked?.has(`${tree.noticeId}/v${version.version}`)) return;
    const lock = parseLock(entry.lockFile.path, entry.lockFile.content, problems);
    if (!lock) return;
    const versionFile = entry.versionFile?.path ?? entry.dir;
    const lines = (entry.versionFile?.content ?? '').split('\n');
    const effectiveDateLine = lines.findIndex((line) => line.startsWith('effectiveDate:')) + 1;
    checkLock(lock, { lockFile: entry.lockFile.path, versionFile, effectiveDateLine }, version, compiled.versions[index]!, problems);
  });
};

const compileNotice = (notice: ValidNotice, regions: readonly string[], strings: ReadonlyMap<string, DocumentStrings>): CompiledNotice => {
  const versions: CompiledVersion[] = [];
  // Per variant, the canonical text (without the version number) and when it last changed.
  const history = new Map<string, { text: string; lastUpdated: string }>();
  // A common section appears in every region's variant: render each distinct body once.
  const htmlCache = new Map<string, string>();
  const html = (markdown: string): string => {
    let rendered = htmlCache.get(markdown);
    if (rendered === undefined) htmlCache.set(markdown, (rendered = renderSectionHtml(markdown)));
    return rendered;
  };

  for (const version of notice.versions) {
    const variants: Record<string, CompiledVariant> = {};
    for (const region of regions) {
      for (const translation of version.translations) {
        const language = translation.language;
        const sections: CompiledSection[] = translation.sections
          .filter((section) => section.region === null || section.region === region)
          .map((section) => ({
            id: section.id,
            title: section.title,
            region: section.region,
            markdown: section.markdown,
            html: html(section.markdown),
          }));
        const key = variantKey(region, language);
        const canonical = { noticeId: notice.noticeId, version: version.version, region, language, sections };
        const text = canonicalRendering({ ...canonical, version: 0 });
        const earlier = history.get(key);
        const lastUpdated = earlier?.text === text ? earlier.lastUpdated : version.effectiveDate;
        history.set(key, { text, lastUpdated });

        const hash = contentHash(canonical);
        const title = notice.title[language] ?? notice.title[notice.defaultLanguage] ?? notice.noticeId;
        const previousVersion = versions.findLast((earlier) => earlier.languages.includes(language))?.version;
        const document = {
          noticeId: notice.noticeId,
          version: version.version,
          region,
          title,
          language,
          effectiveDate: version.effectiveDate,
          lastUpdated,
          sections,
          ...(previousVersion !== undefined ? { previousVersion } : {}),
          strings: strings.get(language)!,
        };
        variants[key] = {
          noticeId: notice.noticeId,
          version: version.version,
          region,
          language,
          contentHash: hash,
          sections,
          markdown: renderMarkdownDocument(document),
          html: renderHtmlDocument(document),
          json: renderJsonBody({
            noticeId: notice.noticeId,
            version: version.version,
            effectiveDate: version.effectiveDate,
            region,
            language,
            contentHash: hash,
            sections,
            availableLanguages: version.languages,
          }),
          diffPages: {},
        };
      }
    }
    versions.push({
      version: version.version,
      effectiveDate: version.effectiveDate,
      languages: version.languages,
      sections: version.sections,
      changes: version.changes,
      variants,
    });
  }

  const compiled: CompiledNotice = {
    noticeId: notice.noticeId,
    title: notice.title,
    defaultLanguage: notice.defaultLanguage,
    regions,
    versions,
  };
  const withPages = versions.map((version) => withDiffPages(compiled, version, strings));
  return { ...compiled, versions: withPages.map((version, index) => (index === withPages.length - 1 ? withHistoryPages(compiled, version, strings) : version)) };
};

/** The newest version with each variant's version-history pages (`compiler/render-history.ts`). */
const withHistoryPages = (notice: CompiledNotice, newest: CompiledVersion, strings: ReadonlyMap<string, DocumentStrings>): CompiledVersion => ({
  ...newest,
  variants: Object.fromEntries(
    Object.entries(newest.variants).map(([key, variant]) => [
      key,
      { ...variant, historyPages: historyPages({ notice, region: variant.region, language: variant.language, strings: strings.get(variant.language)! }) },
    ]),
  ),
});

/** `version` with each variant's diff pages from every version up to it that has the variant too. */
const withDiffPages = (notice: CompiledNotice, version: CompiledVersion, strings: ReadonlyMap<string, DocumentStrings>): CompiledVersion => {
  const variants = Object.fromEntries(
    Object.entries(version.variants).map(([key, variant]) => {
      const title = notice.title[variant.language] ?? notice.title[notice.defaultLanguage] ?? notice.noticeId;
      const diffPages = Object.fromEntries(
        notice.versions
          .filter((earlier) => earlier.version <= version.version && earlier.variants[key] !== undefined)
          .map((earlier) => [
            String(earlier.version),
            renderDiffPage({
              diff: diffVersions(notice, earlier.version, version.version, variant.region, variant.language),
              title,
              defaultLanguage: notice.defaultLanguage,
              strings: strings.get(variant.language)!,
            }),
          ]),
      );
      return [key, { ...variant, diffPages }];
    }),
  );
  return { ...version, variants };
};
