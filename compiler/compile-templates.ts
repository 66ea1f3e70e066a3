/**
 * Compiles the email and choice-page templates (`templates/emails/**`, `templates/pages/**`) into
 * `CompiledTemplates`, so the Lambdas carry them in their bundle instead of reading files that a
 * deployment does not ship. YAML is parsed here, which also keeps the YAML parser out of them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { ProblemCollector } from './errors.ts';
import { parseYamlFile } from './parse-yaml.ts';
import { optionStringsFileSchema } from './schemas.ts';
import type { CompiledTemplates } from '../functions/core/content.ts';

/** The folders under the templates directory that hold run-time templates. */
export const RENDER_TEMPLATE_DIRS = ['emails', 'pages'] as const;

const TEXT_TEMPLATE = /\.(html|txt)$/;
const DATA_TEMPLATE = /\.ya?ml$/;
/** The words of the choice options, one file per language of the emails and of the pages. */
const OPTION_STRINGS = /^(emails|pages)\/[^/]+\/strings\.ya?ml$/;

/** Reads and compiles the run-time templates; a folder that does not exist contributes nothing. */
export const compileRenderTemplates = (templatesDir: string, problems: ProblemCollector): CompiledTemplates => {
  const text: Record<string, string> = {};
  const data: Record<string, unknown> = {};
  for (const dir of RENDER_TEMPLATE_DIRS) {
    for (const relativePath of filesUnder(templatesDir, dir)) {
      const file = join(templatesDir, relativePath);
      const source = readFileSync(file, 'utf8');
      if (TEXT_TEMPLATE.test(relativePath)) text[relativePath] = source;
      else if (DATA_TEMPLATE.test(relativePath)) {
        const lineCounter = new LineCounter();
        const document = parseDocument(source, { lineCounter });
        for (const error of document.errors) problems.add(file, lineCounter.linePos(error.pos[0]).line, `malformed YAML: ${error.message.split('\n')[0]}`);
        if (document.errors.length === 0) data[relativePath] = document.toJS();
        // Every option needs its words in every language: the build says which are missing, not a blank page at run time.
        if (document.errors.length === 0 && OPTION_STRINGS.test(relativePath)) parseYamlFile(file, source, optionStringsFileSchema, problems);
      }
    }
  }
  return { schemaVersion: 1, text: sortedByKey(text), data: sortedByKey(data) };
};

/** Paths (with `/`) of every file under `<root>/<dir>`, sorted, so the output is deterministic. */
const filesUnder = (root: string, dir: string): string[] => {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute)
    .sort()
    .flatMap((entry) => {
      const relativePath = `${dir}/${entry}`;
      return statSync(join(root, relativePath)).isDirectory() ? filesUnder(root, relativePath) : [relativePath];
    });
};

const sortedByKey = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
