/**
 * esbuild plugin for the accounts Lambda: replaces `published-content.ts` (which would pull in
 * the whole ~1 MB compiled content) with the slim published index as a literal.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import type { CompiledContent } from '../content/types.ts';
import { publishedIndex } from '../ledger/published-variants.ts';

/** The plugin; `contentPath` defaults to `.build/content.json`. */
export const publishedContentPlugin = (contentPath = resolve(import.meta.dirname, '..', '..', '.build', 'content.json')): Plugin => ({
  name: 'accounts-published-content',
  setup(build) {
    build.onLoad({ filter: /[\\/]functions[\\/]accounts[\\/]published-content\.ts$/ }, () => {
      const content = JSON.parse(readFileSync(contentPath, 'utf8')) as CompiledContent;
      return { contents: `export const publishedContent = ${JSON.stringify(publishedIndex(content))};`, loader: 'js' };
    });
  },
});
