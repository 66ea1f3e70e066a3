/**
 * The slice of the compiled content the accounts Lambda needs: published variants and their
 * hashes, effective dates and declared changes. `bundle-plugin.ts` swaps this module for the
 * literal slim index when bundling, so the Lambda does not carry the pre-rendered documents.
 */
import { compiledContent } from '../content/artifact.ts';
import { publishedIndex, type PublishedContent } from '../ledger/published-variants.ts';

export const publishedContent: PublishedContent = publishedIndex(compiledContent);
