/**
 * The notices Lambda's content, read from files shipped beside its bundle (`serving/`, copied there
 * by the construct's afterBundling hook; locally `.build/serving/`), not bundled into its code:
 * cold start reads only `index.json` (notice ids and the region catalogue). A notice's metadata
 * (`notices/<id>.json`) is read the first time the notice is used, a variant's pre-rendered bytes
 * (`variants/<id>/<version>/<region>/<language>.json`) the first time that variant is served.
 * So cold start, and cold start plus a first response, stay flat as the content grows.
 *
 * The loaded content has the `CompiledContent` shape (lazy getters), so the serving code is the
 * same over these files and over the full in-memory artifact that tests inject.
 */
import type { CompiledContent, CompiledNotice, CompiledVariant, CompiledVersion, IndexedNotice, RegionCatalogue } from '../core/content.ts';

/** `serving/index.json`: what cold start reads. */
export interface ServingIndex {
  readonly schemaVersion: 1;
  readonly sourceHash: string;
  readonly catalogue: RegionCatalogue;
  readonly noticeIds: readonly string[];
  /** The Content-Security-Policy of the pre-rendered HTML pages. */
  readonly documentSecurityPolicy: string;
}

// `node:fs` and `node:path` as the built-in objects, not ES module imports: the ESM facade of
// `node:fs` enumerates every export, `fs.promises` included, which loads the promises API on the
// way: about 1.5 ms of every cold import of the notices Lambda, for two synchronous calls.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
const { join } = process.getBuiltinModule('node:path');

export const SERVING_DIR_NAME = 'serving';
export const servingIndexFile = 'index.json';
export const openApiFile = 'openapi.json';
export const noticeFile = (noticeId: string): string => `notices/${noticeId}.json`;
export const variantFile = (noticeId: string, version: number, region: string, language: string): string =>
  `variants/${noticeId}/${version}/${region}/${language}.json`;

/** Beside the bundle when deployed (`/var/task/serving`), else the build output of this checkout. */
export const defaultServingDir = (): string => {
  const beside = join(import.meta.dirname, SERVING_DIR_NAME);
  return existsSync(beside) ? beside : join(import.meta.dirname, '..', '..', '.build', SERVING_DIR_NAME);
};

const readJson = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;

/** Defines `name` on `target` as a getter that computes once, then stays a plain value. */
const lazy = <T extends object, K extends string>(target: T, name: K, compute: () => unknown): void => {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, name, { value, enumerable: true, configurable: false, writable: false });
      return value;
    },
  });
};

const lazyVersion = (dir: string, notice: IndexedNotice, indexed: IndexedNotice['versions'][number]): CompiledVersion => {
  const variants: Record<string, CompiledVariant> = {};
  for (const [key, variant] of Object.entries(indexed.variants)) {
    lazy(variants, key, () => readJson<CompiledVariant>(dir, variantFile(notice.noticeId, indexed.version, variant.region, variant.language)));
  }
  return { ...indexed, variants };
};

const lazyNotice = (dir: string, noticeId: string): CompiledNotice => {
  let loaded: { notice: IndexedNotice; versions: readonly CompiledVersion[] } | undefined;
  const load = () => {
    if (!loaded) {
      const notice = readJson<IndexedNotice>(dir, noticeFile(noticeId));
      loaded = { notice, versions: notice.versions.map((version) => lazyVersion(dir, notice, version)) };
    }
    return loaded;
  };
  const notice = { noticeId } as { noticeId: string };
  lazy(notice, 'title', () => load().notice.title);
  lazy(notice, 'defaultLanguage', () => load().notice.defaultLanguage);
  lazy(notice, 'regions', () => load().notice.regions);
  lazy(notice, 'versions', () => load().versions);
  return notice as CompiledNotice;
};

/** The served content over the files in `dir`: reads `index.json` now, everything else on first use. */
export const loadServedContent = (dir: string = defaultServingDir()): CompiledContent => {
  const index = readJson<ServingIndex>(dir, servingIndexFile);
  const content = {
    schemaVersion: index.schemaVersion,
    sourceHash: index.sourceHash,
    catalogue: index.catalogue,
    notices: index.noticeIds.map((noticeId) => lazyNotice(dir, noticeId)),
    documentSecurityPolicy: index.documentSecurityPolicy,
  } as { schemaVersion: 1; sourceHash: string; catalogue: RegionCatalogue; notices: CompiledNotice[]; documentSecurityPolicy: string };
  lazy(content, 'openapi', () => readJson<string>(dir, openApiFile));
  return content as unknown as CompiledContent;
};
