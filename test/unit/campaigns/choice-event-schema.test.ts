/** The published `ChoiceRecorded` events validate against the documented JSON Schema (docs/events/choice-recorded.schema.json). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { choiceEvent } from '../../../functions/campaigns/choices.ts';
import { contentIndex } from '../../../functions/content/index-artifact.ts';
import { CHOICE_OPTION_IDS } from '../../../functions/core/choice-options.ts';
import type { ChoiceEvidence } from '../../../functions/ledger/types.ts';

const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../docs/events/choice-recorded.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value));
const validate = ajv.compile(schema);

const evidence = (over: Partial<ChoiceEvidence>): ChoiceEvidence => ({
  kind: 'choice',
  campaignId: 'privacy-v2',
  version: 2,
  option: 'delete',
  defaulted: false,
  channel: 'web',
  seq: 1,
  evidenceId: 'privacy-v2/acct-1/1',
  writer: 'w',
  shown: { options: [...CHOICE_OPTION_IDS], region: 'eea', language: 'en' },
  at: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('Schema: ChoiceRecorded', () => {
  it('accepts every event the platform builds: first choices, changes, defaults', () => {
    const events = [
      choiceEvent(contentIndex, 'acct-1', 'privacy', evidence({ previousVersion: 1 })),
      choiceEvent(contentIndex, 'acct-1', 'privacy', evidence({ seq: 2, evidenceId: 'privacy-v2/acct-1/2', option: 'accept', previousOption: 'delete', previousVersion: 1 })),
      choiceEvent(contentIndex, 'acct-2', 'privacy', evidence({ option: 'keep-previous', defaulted: true, channel: 'system', at: '2027-02-01T00:00:00.000Z' })),
    ];
    for (const event of events) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    // The schema names every option the registry has, so a new option cannot leave it stale.
    expect((schema as { properties: { option: { enum: string[] } } }).properties.option.enum).toEqual([...CHOICE_OPTION_IDS]);
  });

  it('rejects an event without the region or the cut-off date, or with an unknown option', () => {
    const good = choiceEvent(contentIndex, 'acct-1', 'privacy', evidence({}));
    const { region: _region, ...noRegion } = good;
    const { cutoffDate: _cutoff, ...noCutoff } = good;
    expect(validate(noRegion)).toBe(false);
    expect(validate(noCutoff)).toBe(false);
    expect(validate({ ...good, option: 'sell' })).toBe(false);
    expect(validate({ ...good, email: 'x@example.com' })).toBe(false);
  });
});
