/** The shape of the YAML template files (`notice.yaml`, `version.yaml`, `regions.yaml`). */
import * as z from 'zod';
import { CHOICE_OPTION_IDS, type ChoiceOption } from '../functions/core/choice-options.ts';

/** A primary language subtag as the content uses it (`en`, `ja`). */
export const languageTagSchema = z.string().regex(/^[a-z]{2,3}$/, 'a language is a lowercase primary subtag such as `en` or `ja`');
/** Section, notice and region ids: lowercase words joined by hyphens. */
export const idSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'an id is lowercase letters and digits joined by hyphens');

const perLanguage = z.record(languageTagSchema, z.string().trim().min(1, 'must not be empty'));

export const noticeFileSchema = z.strictObject({
  title: perLanguage,
  defaultLanguage: languageTagSchema,
});

export const changeSchema = z.strictObject({
  kind: z.enum(['editorial', 'material']),
  effect: z.enum(['raises', 'neutral', 'lowers']).optional(),
  scope: z.enum(['new-data', 'previously-collected']).optional(),
  choices: z.array(z.enum(CHOICE_OPTION_IDS)).min(1).optional(),
  summary: perLanguage,
});
export type ChangeFile = z.output<typeof changeSchema>;

/** What `cli new-version` writes for the effective date: refused until the author sets it. */
export const EFFECTIVE_DATE_PLACEHOLDER = 'YYYY-MM-DD';

export const versionFileSchema = z.strictObject({
  effectiveDate: z.iso.date({
    error: (issue) =>
      issue.input === EFFECTIVE_DATE_PLACEHOLDER
        ? 'still the placeholder new-version wrote: set the day this version takes effect (YYYY-MM-DD)'
        : 'effectiveDate is a date written YYYY-MM-DD',
  }),
  // `changes:` left empty reads as null in YAML; it means "no changes".
  changes: z.record(idSchema, changeSchema).nullish().transform((changes) => changes ?? {}),
});
export type VersionFile = z.output<typeof versionFileSchema>;

const missingWords = (issue: { input?: unknown }): string | undefined =>
  issue.input === undefined ? 'missing (every choice option needs its words in every language)' : undefined;
const words = z.string({ error: missingWords }).trim().min(1, 'must not be empty');
const optionWordsSchema = z.strictObject(
  {
    label: words,
    description: words,
    /** The plain-text email's line, when it says more than the label. */
    textLabel: words.optional(),
  },
  { error: missingWords },
);

/** `emails/<lang>/strings.yaml` and `pages/<lang>/strings.yaml`: the words of every choice option, and of nothing else. */
export const optionStringsFileSchema = z.looseObject({
  options: z.strictObject(Object.fromEntries(CHOICE_OPTION_IDS.map((option) => [option, optionWordsSchema])) as Record<ChoiceOption, typeof optionWordsSchema>, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `${issue.keys.map((key) => `'${key}'`).join(', ')} is not a choice option (functions/core/choice-options.ts)` : undefined,
  }),
});

export const regionsFileSchema = z.strictObject({
  regions: z.array(
    z.strictObject({
      id: idSchema,
      name: perLanguage,
      defaultLanguage: languageTagSchema.optional(),
      countries: z.array(z.string()).nullish().transform((codes) => codes ?? []),
      subdivisions: z.array(z.string()).nullish().transform((codes) => codes ?? []),
    }),
  ),
});
export type RegionsFile = z.output<typeof regionsFileSchema>;

const pageWords = z.string({ error: (issue) => (issue.input === undefined ? 'missing (every notice language needs the words of the notice and diff pages)' : undefined) }).min(1, 'must not be empty');
const pageWordsOf = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, pageWords])) as Record<K, typeof pageWords>, {
    error: (issue) => (issue.input === undefined ? 'missing (every notice language needs the words of the notice and diff pages)' : undefined),
  });

/** `pages/<lang>/strings.yaml`, the part the content build reads: the words around a notice page, a diff page and the version-history page. */
export const documentStringsFileSchema = z.looseObject({
  notice: pageWordsOf(['effectiveDate', 'lastUpdated', 'version', 'contents', 'separator', 'history', 'previousDiff'] as const),
  diff: z.strictObject(
    {
      ...pageWordsOf(['title', 'summary', 'readVersion', 'legend', 'removedStart', 'removedEnd', 'addedStart', 'addedEnd', 'declared', 'notDeclared', 'unchanged', 'noChanges'] as const).shape,
      status: pageWordsOf(['added', 'removed', 'changed'] as const),
      kind: pageWordsOf(['editorial', 'material'] as const),
      effect: pageWordsOf(['raises', 'neutral', 'lowers'] as const),
      scope: pageWordsOf(['new-data', 'previously-collected'] as const),
    },
    { error: (issue) => (issue.input === undefined ? 'missing (every notice language needs the words of the diff page)' : undefined) },
  ),
  history: z.strictObject(
    {
      ...pageWordsOf(['title', 'intro', 'version', 'changes', 'firstVersion', 'noChanges', 'readVersion'] as const).shape,
      status: pageWordsOf(['in-force', 'upcoming', 'superseded'] as const),
    },
    { error: (issue) => (issue.input === undefined ? 'missing (every notice language needs the words of the version-history page)' : undefined) },
  ),
});
export type DocumentStrings = Pick<z.output<typeof documentStringsFileSchema>, 'notice' | 'diff' | 'history'>;
