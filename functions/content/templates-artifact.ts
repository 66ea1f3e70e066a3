/**
 * The compiled email and choice-page templates (`.build/templates.json`), bundled into the
 * Lambdas that render them: no template file is read at run time.
 */
import templates from '../../.build/templates.json' with { type: 'json' };
import type { CompiledTemplates } from '../core/content.ts';

export const compiledTemplates: CompiledTemplates = templates;
export type { CompiledTemplates };
