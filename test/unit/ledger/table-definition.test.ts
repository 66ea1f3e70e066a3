import { describe, expect, it } from 'vitest';
import { AUDIENCE_INDEX, EVIDENCE_BY_NOTICE_INDEX, createTableInput } from '../../../functions/ledger/table-definition.ts';

describe('Function: createTableInput', () => {
  it('declares pk/sk, the audience index with a narrow projection and the evidence index with all attributes', () => {
    const input = createTableInput('Ledger');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions?.map((definition) => definition.AttributeName).sort()).toEqual(['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'pk', 'sk']);
    const [audience, evidence] = input.GlobalSecondaryIndexes ?? [];
    expect(audience?.IndexName).toBe(AUDIENCE_INDEX);
    expect(audience?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['accountId', 'noticeId', 'region', 'language', 'acceptedVersion'] });
    expect(evidence?.IndexName).toBe(EVIDENCE_BY_NOTICE_INDEX);
    expect(evidence?.Projection).toEqual({ ProjectionType: 'ALL' });
    // The audience index must never carry the contact email.
    expect(JSON.stringify(input)).not.toContain('email');
  });
});
