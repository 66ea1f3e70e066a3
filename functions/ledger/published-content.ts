/**
 * The slice of the content the accounts Lambda needs: published variants and their hashes,
 * effective dates and declared changes, taken from the slim content index (not the ~1 MB
 * compiled content), so the bundle stays small without any bundler plugin.
 */
import { contentIndex } from '../content/index-artifact.ts';
import { publishedIndex, type PublishedContent } from './published-variants.ts';

export const publishedContent: PublishedContent = publishedIndex(contentIndex);
