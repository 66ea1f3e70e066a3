import { describe, expect, it } from 'vitest';
import type { CompiledNotice, CompiledVersion } from '../../../functions/core/content.ts';
import { fixedClock } from '../../../functions/core/clock.ts';
import { NotFoundError } from '../../../functions/core/errors.ts';
import { effectiveAt, isInForce, latestVersion, nextEffectiveAt, selectVersion } from '../../../functions/core/versions.ts';

const version = (number: number, effectiveDate: string): CompiledVersion => ({
  version: number,
  effectiveDate,
  languages: ['en'],
  sections: [],
  changes: [],
  variants: {},
});

// Dates chosen relative to each other only: the behaviour is checked on both sides of each date.
const notice: CompiledNotice = {
  noticeId: 'privacy',
  title: { en: 'Privacy notice' },
  defaultLanguage: 'en',
  regions: ['global'],
  versions: [version(1, '2026-03-01'), version(2, '2027-02-01'), version(3, '2027-02-15')],
};
const justBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00.000Z`) - 1);
const at = (date: string) => new Date(`${date}T00:00:00.000Z`);

describe('Function: selectVersion', () => {
  it('refuses "latest" before the first version takes effect', () => {
    expect(() => selectVersion(notice, { now: justBefore('2026-03-01') })).toThrow(NotFoundError);
  });

  it.each([
    [at('2026-03-01'), 1],
    [justBefore('2027-02-01'), 1],
    [at('2027-02-01'), 2],
    [justBefore('2027-02-15'), 2],
    [at('2027-02-15'), 3],
    [new Date('2100-01-01T12:00:00Z'), 3],
  ])('at %s serves version %i as latest', (now, expected) => {
    expect(selectVersion(notice, { now }).version).toBe(expected);
  });

  it('takes effect at 00:00 UTC, whatever the local time zone of the caller', () => {
    // 2027-02-01T08:59+09:00 (Tokyo) is still 2027-01-31 in UTC.
    expect(selectVersion(notice, { now: new Date('2027-02-01T08:59:59+09:00') }).version).toBe(1);
    expect(selectVersion(notice, { now: new Date('2027-02-01T09:00:00+09:00') }).version).toBe(2);
    expect(selectVersion(notice, { now: new Date('2027-01-31T23:59:59-01:00') }).version).toBe(2);
    expect(selectVersion(notice, { now: new Date('2027-02-01T00:59:59+01:00') }).version).toBe(1);
  });

  it('serves a version by number ahead of its effective date', () => {
    expect(selectVersion(notice, { version: 3, now: justBefore('2026-03-01') }).version).toBe(3);
  });

  it('serves an old version by number after it was superseded', () => {
    expect(selectVersion(notice, { version: 1, now: new Date('2100-01-01') }).version).toBe(1);
  });

  it.each([0, 4, -1, 1.5])('refuses the unknown version %d', (number) => {
    expect(() => selectVersion(notice, { version: number, now: at('2027-03-01') })).toThrow(NotFoundError);
  });

  it('follows an injected clock as it passes an effective date', () => {
    const clock = fixedClock(justBefore('2027-02-01'));
    expect(selectVersion(notice, { now: clock.now() }).version).toBe(1);
    clock.advance(1);
    expect(selectVersion(notice, { now: clock.now() }).version).toBe(2);
  });
});

describe('Function: nextEffectiveAt / latestVersion / isInForce', () => {
  it('names the next effective instant after now, or none after the last', () => {
    expect(nextEffectiveAt(notice, at('2026-03-01'))).toBe(effectiveAt(notice.versions[1]!));
    expect(nextEffectiveAt(notice, at('2027-02-01'))).toBe(Date.parse('2027-02-15T00:00:00Z'));
    expect(nextEffectiveAt(notice, at('2027-02-15'))).toBeUndefined();
  });

  it('has no latest version before the first date', () => {
    expect(latestVersion(notice, new Date('2020-01-01'))).toBeUndefined();
  });

  it('is in force from the effective instant on', () => {
    expect(isInForce(notice.versions[1]!, justBefore('2027-02-01'))).toBe(false);
    expect(isInForce(notice.versions[1]!, at('2027-02-01'))).toBe(true);
  });
});
