/**
 * The logical ids of the stateful and externally visible resources are those the committed
 * fixture recorded before `lib/` was split: a refactor of the construct tree must not replace
 * the table, a queue, the distribution, an API or the bus.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_URL, PINNED_TYPES, pinnedLogicalIdsOf } from './pinned-logical-ids.ts';
import { referenceProps, synthPlatform } from './platform-synth.ts';

const fixture = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Record<string, string>;

let synthesised: Record<string, string>;

beforeAll(() => {
  synthesised = pinnedLogicalIdsOf(synthPlatform(referenceProps).template.toJSON() as { Resources: Record<string, { Type: string }> });
}, 120_000);

describe('Pinned logical ids', () => {
  it('records the resources the redesign names: table, keys, secret, queues, distribution, APIs, stages, buses, rules, SES, alarm topic', () => {
    const types = new Set(Object.values(fixture));
    for (const type of PINNED_TYPES) expect(types.has(type), type).toBe(true);
    for (const id of ['LedgerTable', 'DataKey', 'ChoiceTokenSecret', 'ChoiceEventBus', 'PlannerQueue', 'PlannerDeadLetterQueue', 'SendQueue', 'SendDeadLetterQueue', 'SesEventsQueue', 'SesEventsDeadLetterQueue']) {
      expect(fixture[id], id).toBeDefined();
    }
    expect(Object.values(fixture).filter((type) => type === 'AWS::ApiGatewayV2::Api')).toHaveLength(2);
    expect(Object.values(fixture).filter((type) => type === 'AWS::ApiGatewayV2::Stage')).toHaveLength(2);
    expect(Object.values(fixture).filter((type) => type === 'AWS::Events::Rule')).toHaveLength(2);
  });

  it('keeps every pinned logical id with the same resource type', () => {
    for (const [logicalId, type] of Object.entries(fixture)) expect(synthesised[logicalId], logicalId).toBe(type);
  });

  it('adds no resource of a pinned type that the fixture does not know (regenerate it deliberately)', () => {
    expect(Object.keys(synthesised).filter((logicalId) => !(logicalId in fixture))).toEqual([]);
  });
});
