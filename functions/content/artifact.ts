/** The compiled content, bundled into the notices Lambda by esbuild: its only content import. */
import content from '../../.build/content.json' with { type: 'json' };
import type { CompiledContent } from '../core/content.ts';

export const compiledContent: CompiledContent = content;
export type { CompiledContent };
