/**
 * The declaration file beside each content artifact (`content.json` → `content.d.json.ts`, read by
 * TypeScript under `allowArbitraryExtensions`): the loaders in `functions/content/` import the
 * artifacts typed with no cast, and the type checker reads one line instead of inferring a type
 * from a megabyte of JSON. Kept apart from the compiler so the build command's up-to-date check
 * loads nothing heavy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');

/** The type each artifact declares, by file name (the loaders in `functions/content/` import them typed). */
const ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  'content.json': 'CompiledContent',
  'content-index.json': 'ContentIndex',
  'templates.json': 'CompiledTemplates',
};

/** The declaration file TypeScript reads for an artifact (`content.json` → `content.d.json.ts`); undefined for a file of another name. */
export const artifactDeclarationPath = (outFile: string): string | undefined =>
  ARTIFACT_TYPES[basename(outFile)] ? outFile.replace(/\.json$/, '.d.json.ts') : undefined;

/**
 * Beside an artifact, its declared type (`allowArbitraryExtensions`): the loaders then need no cast,
 * and the type checker reads one line instead of inferring a type from a megabyte of JSON.
 */
export const writeArtifactDeclaration = (outFile: string): void => {
  const typeName = ARTIFACT_TYPES[basename(outFile)];
  const target = artifactDeclarationPath(outFile);
  if (!typeName || !target) return;
  let types = relative(dirname(target), join(REPOSITORY_ROOT, 'functions', 'core', 'content.ts')).split(sep).join('/');
  if (!types.startsWith('.')) types = `./${types}`;
  const text = `// Written by the content build: the type of ${basename(outFile)}.\ndeclare const artifact: import('${types}').${typeName};\nexport = artifact;\n`;
  if (readOptionalText(target) === text) return;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
};

const readOptionalText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

