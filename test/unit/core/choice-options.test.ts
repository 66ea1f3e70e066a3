/**
 * The option table is the one list: every consumer's list of options, counters, fields and
 * placeholders equals what the table derives, and every language has the words for every option.
 */
import { describe, expect, it } from 'vitest';
import { counterDeltas, parseOption } from '../../../functions/campaigns/choices.ts';
import { RECIPIENT_PLACEHOLDERS } from '../../../functions/campaigns/email.ts';
import { COUNTER_NAMES } from '../../../functions/campaigns/model.ts';
import { compiledTemplates } from '../../../functions/content/templates-artifact.ts';
import {
  CHOICE_COUNTERS,
  CHOICE_OPTION_IDS,
  CHOICE_OPTIONS,
  DEFAULT_CHOICE,
  choiceOption,
  isChoiceOption,
  optionLink,
  optionLinkPlaceholder,
  optionLinks,
  perOptionField,
} from '../../../functions/core/choice-options.ts';
import { changeSchema } from '../../../compiler/schemas.ts';
import { DEFAULT_CHOICES } from '../../../compiler/validate.ts';
import { buildOpenApiDocument } from '../../../compiler/openapi.ts';

type JsonNode = Record<string, unknown>;
const isObject = (value: unknown): value is JsonNode => typeof value === 'object' && value !== null;
/** Every object in a JSON document, depth first. */
const nodesOf = (value: unknown): JsonNode[] =>
  Array.isArray(value) ? value.flatMap(nodesOf) : isObject(value) ? [value, ...Object.values(value).flatMap(nodesOf)] : [];

describe('Constant: CHOICE_OPTIONS', () => {
  it('has unique ids, fields and counters, and the default is one of the options', () => {
    expect(new Set(CHOICE_OPTIONS.map((option) => option.id)).size).toBe(CHOICE_OPTIONS.length);
    expect(new Set(CHOICE_OPTIONS.map((option) => option.field)).size).toBe(CHOICE_OPTIONS.length);
    expect(new Set(CHOICE_COUNTERS).size).toBe(CHOICE_OPTIONS.length);
    expect(isChoiceOption(DEFAULT_CHOICE)).toBe(true);
  });

  it('names each option in the forms every interface uses (kebab id, camelCase field, snake counter)', () => {
    for (const option of CHOICE_OPTIONS) {
      expect(option.id).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
      expect(option.field).toBe(option.id.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()));
      expect(option.counter).toBe(`choice_${option.id.replaceAll('-', '_')}`);
    }
  });
});

describe('Function: isChoiceOption / choiceOption', () => {
  it('knows exactly the defined ids', () => {
    expect(CHOICE_OPTION_IDS.every(isChoiceOption)).toBe(true);
    for (const value of ['', 'ACCEPT', 'keep_previous', 'sell', 1, undefined, null]) expect(isChoiceOption(value)).toBe(false);
    expect(choiceOption('keep-previous')).toEqual({ id: 'keep-previous', field: 'keepPrevious', counter: 'choice_keep_previous', previousData: 'previous-version' });
  });
});

describe('Function: optionLinks', () => {
  it('builds the choice page links with the option preselected, named by their SES placeholders', () => {
    const choiceUrl = 'https://x.example/choices/v1.abc.def';

    expect({ choiceUrl, ...optionLinks(choiceUrl) }).toEqual({
      choiceUrl: 'https://x.example/choices/v1.abc.def',
      acceptUrl: 'https://x.example/choices/v1.abc.def?option=accept',
      keepPreviousUrl: 'https://x.example/choices/v1.abc.def?option=keep-previous',
      deleteUrl: 'https://x.example/choices/v1.abc.def?option=delete',
    });
    expect(optionLink(choiceUrl, 'delete')).toBe(`${choiceUrl}?option=delete`);
    expect(optionLinkPlaceholder('keep-previous')).toBe('keepPreviousUrl');
  });

  it('links only the offered options, in the definition order', () => {
    expect(Object.keys(optionLinks('u', ['keep-previous', 'accept']))).toEqual(['acceptUrl', 'keepPreviousUrl']);
  });
});

describe('Derived: every consumer lists what the table defines', () => {
  it('the content schema, the build default and every option in the HTTP API (the OpenAPI document) are exactly the option ids', () => {
    expect(DEFAULT_CHOICES).toEqual(CHOICE_OPTION_IDS);
    expect(changeSchema.shape.choices.unwrap().element.options).toEqual(CHOICE_OPTION_IDS);
    const optionEnums = nodesOf(buildOpenApiDocument()).filter((node) => Array.isArray(node['enum']) && node['enum'].includes('keep-previous'));
    // Choice request, view, recorded and replaced option, `?option=`, dry-run regions, declared changes.
    expect(optionEnums.length).toBeGreaterThanOrEqual(7);
    for (const node of optionEnums) expect(node['enum']).toEqual(CHOICE_OPTION_IDS);
  });

  it('the campaign counters and the progress fields are one per option', () => {
    expect(COUNTER_NAMES.filter((name) => name.startsWith('choice_'))).toEqual(CHOICE_COUNTERS);
    const progressChoices = nodesOf(buildOpenApiDocument()).filter((node) => isObject(node['properties']) && 'keepPrevious' in node['properties']);
    expect(progressChoices).toHaveLength(1);
    expect(Object.keys(progressChoices[0]!['properties'] as object)).toEqual(CHOICE_OPTIONS.map((option) => option.field));
    expect(perOptionField((option) => CHOICE_COUNTERS.indexOf(option.counter))).toEqual({ accept: 0, keepPrevious: 1, delete: 2 });
  });

  it('parses, counts and links every option', () => {
    for (const option of CHOICE_OPTION_IDS) {
      expect(parseOption(option)).toBe(option);
      expect(counterDeltas(option, undefined)).toEqual({ [choiceOption(option).counter]: 1 });
    }
    expect(RECIPIENT_PLACEHOLDERS).toEqual(['acceptUrl', 'keepPreviousUrl', 'deleteUrl', 'choiceUrl']);
  });
});

describe('Templates: every language has the words for every option', () => {
  const stringsFiles = Object.keys(compiledTemplates.data).filter((path) => /^(emails|pages)\/[a-z]+\/strings\.yaml$/.test(path));

  it('has a strings file for each language of the emails and the pages', () => {
    const languagesOf = (dir: string) => new Set(Object.keys(compiledTemplates.text).filter((path) => path.startsWith(`${dir}/`) && path.split('/').length === 3).map((path) => path.split('/')[1]));
    for (const dir of ['emails', 'pages']) {
      for (const language of languagesOf(dir)) expect(stringsFiles).toContain(`${dir}/${language}/strings.yaml`);
    }
  });

  it.each(stringsFiles)('%s has a label and a description for each option, and nothing else', (path) => {
    const { options } = compiledTemplates.data[path] as { options: Record<string, { label?: unknown; description?: unknown }> };
    expect(Object.keys(options)).toEqual(CHOICE_OPTION_IDS);
    for (const words of Object.values(options)) {
      expect(words.label).toEqual(expect.stringMatching(/\S/));
      expect(words.description).toEqual(expect.stringMatching(/\S/));
    }
  });
});
