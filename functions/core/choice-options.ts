/**
 * The choices a customer can be offered when a change lowers the protection of data already
 * collected, defined once. Schemas, counters, progress fields, the email and the choice page all
 * derive from this table: adding an option means a row here plus its strings per language.
 */

/** What happens to data collected before the new version's effective date under each option. */
export type PreviousDataFate = 'new-version' | 'previous-version' | 'deleted';

export interface ChoiceOptionDefinition {
  readonly id: string;
  /** The campaign counter it moves (`CNT#` items, progress `choices` field). */
  readonly counter: string;
  readonly previousData: PreviousDataFate;
}

export const CHOICE_OPTIONS = [
  { id: 'accept', counter: 'choice_accept', previousData: 'new-version' },
  { id: 'keep-previous', counter: 'choice_keep_previous', previousData: 'previous-version' },
  { id: 'delete', counter: 'choice_delete', previousData: 'deleted' },
] as const satisfies readonly ChoiceOptionDefinition[];

export type ChoiceOption = (typeof CHOICE_OPTIONS)[number]['id'];
export type ChoiceCounter = (typeof CHOICE_OPTIONS)[number]['counter'];

/** Option ids in display order, as a non-empty tuple (what `z.enum` takes). */
export const CHOICE_OPTION_IDS = CHOICE_OPTIONS.map((option) => option.id) as [ChoiceOption, ...ChoiceOption[]];

/** The protective default recorded when nobody answers by the deadline. */
export const DEFAULT_CHOICE: ChoiceOption = 'keep-previous';

const BY_ID = new Map<string, (typeof CHOICE_OPTIONS)[number]>(CHOICE_OPTIONS.map((option) => [option.id, option]));

/** The definition of `option`. */
export const choiceOption = (option: ChoiceOption): (typeof CHOICE_OPTIONS)[number] => BY_ID.get(option)!;

/** True when `value` names an option. */
export const isChoiceOption = (value: unknown): value is ChoiceOption => typeof value === 'string' && BY_ID.has(value);
