/** Reads the template tree from disk: the region catalogue and, per notice, its versions and translations. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProblemCollector } from './errors.ts';

export interface SourceFile {
  /** Path as the build reports it: the templates directory as given, joined with the file's place in it. */
  readonly path: string;
  readonly content: string;
}

export interface VersionTree {
  /** The folder name, `v<N>`. */
  readonly name: string;
  readonly dir: string;
  readonly versionFile?: SourceFile;
  /** `published.lock.json`, written by `cli publish`: present once the version is published. */
  readonly lockFile?: SourceFile;
  /** One Markdown file per language, sorted by language. */
  readonly translations: readonly { readonly language: string; readonly file: SourceFile }[];
}

export interface NoticeTree {
  readonly noticeId: string;
  readonly dir: string;
  readonly noticeFile?: SourceFile;
  readonly versions: readonly VersionTree[];
}

export interface TemplateTree {
  readonly catalogueFile?: SourceFile;
  readonly notices: readonly NoticeTree[];
  /** Every file the build compiles, for the source hash. */
  readonly files: readonly SourceFile[];
}

const TRANSLATION_FILE = /^(?<language>[a-z]{2,3})\.md$/;

/** Reads `<templatesDir>/regions.yaml` and `<templatesDir>/notices/**`; anything unexpected there is a problem. */
export const readTemplateTree = (templatesDir: string, problems: ProblemCollector): TemplateTree => {
  const files: SourceFile[] = [];
  const read = (path: string): SourceFile => {
    const file = { path, content: readFileSync(path, 'utf8') };
    files.push(file);
    return file;
  };

  const cataloguePath = join(templatesDir, 'regions.yaml');
  const catalogueFile = existsSync(cataloguePath) ? read(cataloguePath) : undefined;
  if (!catalogueFile) problems.add(cataloguePath, 1, 'the region catalogue is missing');

  const noticesDir = join(templatesDir, 'notices');
  if (!isDirectory(noticesDir)) {
    problems.add(noticesDir, 1, 'no notices directory: each notice lives in notices/<id>/');
    return { catalogueFile, notices: [], files };
  }

  const notices: NoticeTree[] = [];
  for (const noticeId of sortedEntries(noticesDir)) {
    const dir = join(noticesDir, noticeId);
    if (!isDirectory(dir)) {
      problems.add(dir, 1, 'unexpected file: notices/ holds one directory per notice');
      continue;
    }
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(noticeId)) problems.add(dir, 1, `notice id '${noticeId}' is not lowercase letters and digits joined by hyphens`);
    const noticePath = join(dir, 'notice.yaml');
    const noticeFile = existsSync(noticePath) ? read(noticePath) : undefined;
    if (!noticeFile) problems.add(noticePath, 1, 'notice.yaml is missing (title per language, default language)');

    const versions: VersionTree[] = [];
    for (const name of sortedEntries(dir)) {
      if (name === 'notice.yaml') continue;
      const versionDir = join(dir, name);
      if (!isDirectory(versionDir) || !/^v\d+$/.test(name)) {
        problems.add(versionDir, 1, 'unexpected entry: a notice holds notice.yaml and one v<N>/ directory per version');
        continue;
      }
      versions.push(readVersion(versionDir, name, read, problems));
    }
    notices.push({ noticeId, dir, noticeFile, versions });
  }
  return { catalogueFile, notices, files };
};

const readVersion = (dir: string, name: string, read: (path: string) => SourceFile, problems: ProblemCollector): VersionTree => {
  let versionFile: SourceFile | undefined;
  let lockFile: SourceFile | undefined;
  const translations: { language: string; file: SourceFile }[] = [];
  for (const entry of sortedEntries(dir)) {
    const path = join(dir, entry);
    const language = TRANSLATION_FILE.exec(entry)?.groups?.language;
    if (entry === 'version.yaml') versionFile = read(path);
    else if (entry === 'published.lock.json') lockFile = read(path);
    else if (language && !isDirectory(path)) translations.push({ language, file: read(path) });
    else problems.add(path, 1, 'unexpected entry: a version holds version.yaml, one <lang>.md per language (e.g. en.md) and, once published, published.lock.json');
  }
  if (!versionFile) problems.add(join(dir, 'version.yaml'), 1, 'version.yaml is missing (effective date and declared changes)');
  if (translations.length === 0) problems.add(dir, 1, 'no translations: a version needs at least one <lang>.md');
  return { name, dir, versionFile, ...(lockFile ? { lockFile } : {}), translations };
};

const sortedEntries = (dir: string): string[] => readdirSync(dir).filter((entry) => !entry.startsWith('.')).sort();

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};
