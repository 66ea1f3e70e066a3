/** YAML template files parsed against a zod schema, with every problem located by line. */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from 'zod';
import type { ProblemCollector } from './errors.ts';

export type YamlPath = readonly (string | number)[];

export interface ParsedYaml<T> {
  readonly value: T;
  /** The 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: YamlPath): number;
}

/**
 * Parses `text` (the content of `file`) and checks it against `schema`. Syntax errors, duplicate
 * keys and schema violations are all added to `problems`; the result is undefined if any occurred.
 */
export const parseYamlFile = <S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  problems: ProblemCollector,
): ParsedYaml<z.output<S>> | undefined => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineOf = (path: YamlPath): number => lineOfPath(doc, lineCounter, path);

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0]?.line ?? 1;
      problems.add(file, line, `malformed YAML: ${firstLine(error.message)}`);
    }
    return undefined;
  }

  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      const where = path.length > 0 ? `${path.join('.')}: ` : '';
      problems.add(file, lineOf(path), `${where}${issue.message}`);
    }
    return undefined;
  }
  return { value: result.data, lineOf };
};

const lineOfPath = (doc: Document, lineCounter: LineCounter, path: YamlPath): number => {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      // A key whose value is a nested block starts on the key's line, which reads better.
      const keyLine = depth > 0 ? keyLineOf(doc, lineCounter, path.slice(0, depth)) : undefined;
      return keyLine ?? lineCounter.linePos(range[0]).line;
    }
  }
  return 1;
};

const keyLineOf = (doc: Document, lineCounter: LineCounter, path: YamlPath): number | undefined => {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const items = (parent as { items?: unknown[] } | null | undefined)?.items;
  const last = path[path.length - 1];
  if (!Array.isArray(items) || typeof last !== 'string') return undefined;
  for (const item of items) {
    const key = (item as { key?: { value?: unknown; range?: [number, number, number] } }).key;
    if (key?.value === last && key.range) return lineCounter.linePos(key.range[0]).line;
  }
  return undefined;
};

const firstLine = (message: string): string => message.split('\n')[0] ?? message;
