import { describe, expect, it } from 'vitest';
import type { CompiledNotice } from '../../../functions/core/content.ts';
import { governance, type GovernanceState } from '../../../functions/core/governance.ts';

const notice: CompiledNotice = {
  noticeId: 'privacy',
  title: { en: 'Privacy' },
  defaultLanguage: 'en',
  regions: ['global', 'eea'],
  versions: [
    { version: 1, effectiveDate: '2026-03-01', languages: ['en'], sections: [], changes: [], variants: {} },
    { version: 2, effectiveDate: '2027-02-01', languages: ['en'], sections: [], changes: [], variants: {} },
  ],
};

const deadline = '2027-02-01T00:00:00.000Z';
const notified = { campaignId: 'privacy-v2', version: 2, deadline, options: ['accept', 'keep-previous', 'delete'] as const };
const beforeDeadline = new Date('2027-01-10T00:00:00Z');
const afterDeadline = new Date('2027-02-02T00:00:00Z');
const choiceOf = (option: 'accept' | 'keep-previous' | 'delete', defaulted = false) => ({
  campaignId: 'privacy-v2',
  version: 2,
  option,
  at: '2027-01-05T10:00:00.000Z',
  defaulted,
});

describe('Function: governance', () => {
  it('an account that never accepted anything: nothing governed', () => {
    expect(governance(undefined, notice, beforeDeadline)).toEqual({ governs: [] });
  });

  it('an account never asked: the accepted version governs all its data', () => {
    const result = governance({ acceptedVersion: 1 }, notice, beforeDeadline);

    expect(result).toEqual({ governs: [{ version: 1, forDataCollected: {} }] });
  });

  it('notified and not answered before the deadline: a pending choice, the accepted version still governs', () => {
    const result = governance({ acceptedVersion: 1, notified }, notice, beforeDeadline);

    expect(result.pendingChoice).toEqual({ campaignId: 'privacy-v2', version: 2, deadline, options: ['accept', 'keep-previous', 'delete'] });
    expect(result.choice).toBeUndefined();
    expect(result.governs).toEqual([{ version: 1, forDataCollected: {} }]);
  });

  it('keep-previous: data before version 2 took effect stays under version 1, data from then on under 2', () => {
    const result = governance({ acceptedVersion: 1, notified, choice: choiceOf('keep-previous') }, notice, beforeDeadline);

    expect(result.pendingChoice).toBeUndefined();
    expect(result.choice).toEqual({ option: 'keep-previous', at: '2027-01-05T10:00:00.000Z', defaulted: false, version: 2 });
    expect(result.governs).toEqual([
      { version: 1, forDataCollected: { before: '2027-02-01' } },
      { version: 2, forDataCollected: { from: '2027-02-01' } },
    ]);
  });

  it('accept: version 2 governs all data', () => {
    const result = governance({ acceptedVersion: 1, notified, choice: choiceOf('accept') }, notice, afterDeadline);

    expect(result.governs).toEqual([{ version: 2, forDataCollected: {} }]);
  });

  it('delete: previously collected data is gone, new data under version 2', () => {
    const result = governance({ acceptedVersion: 1, notified, choice: choiceOf('delete') }, notice, afterDeadline);

    expect(result.choice?.option).toBe('delete');
    expect(result.governs).toEqual([{ version: 2, forDataCollected: { from: '2027-02-01' } }]);
  });

  it('past the deadline without an answer, the protective default applies even before the job records it', () => {
    const result = governance({ acceptedVersion: 1, notified }, notice, afterDeadline);

    expect(result.pendingChoice).toBeUndefined();
    expect(result.choice).toEqual({ option: 'keep-previous', at: deadline, defaulted: true, version: 2 });
    expect(result.governs[0]).toEqual({ version: 1, forDataCollected: { before: '2027-02-01' } });
  });

  it('a defaulted choice is reported as defaulted', () => {
    const result = governance({ acceptedVersion: 1, notified, choice: { ...choiceOf('keep-previous', true), at: deadline } }, notice, afterDeadline);

    expect(result.choice).toEqual({ option: 'keep-previous', at: deadline, defaulted: true, version: 2 });
  });

  it('keep-previous still governs old data after the account later accepts version 2', () => {
    // Prepare: the choice remembers the version accepted when it was made
    const state: GovernanceState = { acceptedVersion: 2, notified, choice: { ...choiceOf('keep-previous'), previousVersion: 1 } };

    const result = governance(state, notice, afterDeadline);

    expect(result.governs).toEqual([
      { version: 1, forDataCollected: { before: '2027-02-01' } },
      { version: 2, forDataCollected: { from: '2027-02-01' } },
    ]);
  });

  it('an account that accepted version 2 directly has nothing pending', () => {
    const result = governance({ acceptedVersion: 2, notified }, notice, beforeDeadline);

    expect(result.pendingChoice).toBeUndefined();
    expect(result.governs).toEqual([{ version: 2, forDataCollected: {} }]);
  });

  it('a choice from an older campaign does not answer a newer notification', () => {
    const newer = { ...notified, campaignId: 'privacy-v3', version: 3 };

    const result = governance({ acceptedVersion: 1, notified: newer, choice: choiceOf('accept') }, notice, beforeDeadline);

    expect(result.pendingChoice?.campaignId).toBe('privacy-v3');
  });
});
