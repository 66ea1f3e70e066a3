/**
 * The choices a customer can be offered when a change lowers the protection of data already
 * collected, defined once. Schemas, counters, progress fields, the email and the choice page all
 * derive from this table: adding an option means a row here plus its strings per language
 * (`templates/emails/<lang>/strings.yaml`, `templates/pages/<lang>/strings.yaml`).
 */

/** What happens to data collected before the new version's effective date under each option. */
export type PreviousDataFate = 'new-version' | 'previous-version' | 'deleted';

export interface ChoiceOptionDefinition {
  /** The option as every interface spells it: HTTP bodies, `?option=`, content `choices:`, strings keys. */
  readonly id: string;
  /** Its camelCase name: the progress `choices` field and the email's `{{<field>Url}}` SES placeholder. */
  readonly field: string;
  /** The campaign counter it moves (`CNT#` items). */
  readonly counter: string;
  readonly previousData: PreviousDataFate;
}

/** Every option, in the order the email and the choice page present them. */
export const CHOICE_OPTIONS = [
  { id: 'accept', field: 'accept', counter: 'choice_accept', previousData: 'new-version' },
  { id: 'keep-previous', field: 'keepPrevious', counter: 'choice_keep_previous', previousData: 'previous-version' },
  { id: 'delete', field: 'delete', counter: 'choice_delete', previousData: 'deleted' },
] as const satisfies readonly ChoiceOptionDefinition[];

/** One row of the table, with its literal types. */
export type ChoiceOptionRow = (typeof CHOICE_OPTIONS)[number];
export type ChoiceOption = ChoiceOptionRow['id'];
export type ChoiceField = ChoiceOptionRow['field'];
export type ChoiceCounter = ChoiceOptionRow['counter'];

/** Option ids in display order, as a non-empty tuple (what `z.enum` takes). */
export const CHOICE_OPTION_IDS = CHOICE_OPTIONS.map((option) => option.id) as [ChoiceOption, ...ChoiceOption[]];

/** The campaign counters the options move, in display order. */
export const CHOICE_COUNTERS: readonly ChoiceCounter[] = CHOICE_OPTIONS.map((option) => option.counter);

/** The protective default recorded when nobody answers by the deadline. */
export const DEFAULT_CHOICE: ChoiceOption = 'keep-previous';

const BY_ID = new Map<string, ChoiceOptionRow>(CHOICE_OPTIONS.map((option) => [option.id, option]));

/** The definition of `option`. */
export const choiceOption = (option: ChoiceOption): ChoiceOptionRow => BY_ID.get(option)!;

/** True when `value` names an option. */
export const isChoiceOption = (value: unknown): value is ChoiceOption => typeof value === 'string' && BY_ID.has(value);

/** The name of the per-recipient SES placeholder that carries `option`'s link, e.g. `keepPreviousUrl`. */
export const optionLinkPlaceholder = (option: ChoiceOption): `${ChoiceField}Url` => `${choiceOption(option).field}Url`;

/** The choice page link with `option` preselected (`?option=` only preselects; nothing is recorded by opening it). */
export const optionLink = (choiceUrl: string, option: ChoiceOption): string => `${choiceUrl}?option=${option}`;

/** The per-recipient links of the `offered` options, by SES placeholder name, in the definition's order. */
export const optionLinks = (choiceUrl: string, offered: readonly ChoiceOption[] = CHOICE_OPTION_IDS): Partial<Record<`${ChoiceField}Url`, string>> =>
  Object.fromEntries(CHOICE_OPTION_IDS.filter((option) => offered.includes(option)).map((option) => [optionLinkPlaceholder(option), optionLink(choiceUrl, option)]));

/** One number per option, keyed by its field (the progress `choices` object). */
export const perOptionField = (valueOf: (option: ChoiceOptionRow) => number): Record<ChoiceField, number> =>
  Object.fromEntries(CHOICE_OPTIONS.map((option) => [option.field, valueOf(option)])) as Record<ChoiceField, number>;
