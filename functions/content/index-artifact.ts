/**
 * The slim content index (`.build/content-index.json`), bundled into every Lambda but notices:
 * metadata, hashes and declared changes, without the ~1 MB of pre-rendered documents.
 */
import index from '../../.build/content-index.json' with { type: 'json' };
import type { ContentIndex } from '../core/content.ts';

export const contentIndex: ContentIndex = index;
export type { ContentIndex };
