/**
 * What makes the local SES endpoint behave like the SES the campaign engine must cope with: a
 * recipients-per-second send quota, and throttling, transient errors and per-entry failures
 * injected in a sequence that is the same for the same seed.
 */

export interface SesFaults {
  /** Share of send calls answered 429 `TooManyRequestsException`. @default 0 */
  readonly throttleRate?: number;
  /** Share of send calls answered 500 (nothing sent). @default 0 */
  readonly transientRate?: number;
  /** Share of bulk entries answered `TRANSIENT_FAILURE`/`ACCOUNT_THROTTLED` (those entries not sent). @default 0 */
  readonly entryFailureRate?: number;
  /** Seed of the fault sequence. @default 1 */
  readonly seed?: number;
}

/** mulberry32: small, fast, deterministic; fault injection only. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** The injected faults, drawn one after another from one seeded sequence (so the order of calls decides). */
export class FaultInjector {
  readonly #random: () => number;
  readonly #rates: Required<Omit<SesFaults, 'seed'>>;

  constructor(faults: SesFaults = {}) {
    this.#random = seededRandom(faults.seed ?? 1);
    this.#rates = { throttleRate: faults.throttleRate ?? 0, transientRate: faults.transientRate ?? 0, entryFailureRate: faults.entryFailureRate ?? 0 };
  }

  /** Whether this send call is throttled (429). */
  throttles(): boolean {
    return this.#random() < this.#rates.throttleRate;
  }

  /** Whether this send call fails transiently (500). */
  failsTransiently(): boolean {
    return this.#random() < this.#rates.transientRate;
  }

  /** Whether this bulk entry fails on its own. */
  failsEntry(): boolean {
    return this.#random() < this.#rates.entryFailureRate;
  }
}

/** Token bucket holding one second of quota, refilled continuously, as SES's maximum send rate behaves. */
export class SendQuota {
  readonly #perSecond: number | undefined;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  /** `perSecond` undefined means unlimited; `now` is in milliseconds. */
  constructor(perSecond: number | undefined, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#now = now;
    this.#tokens = perSecond ?? 0;
    this.#refilledAt = now();
  }

  /** Take `n` recipients' worth of quota; false (nothing taken) when there is not enough. */
  take(n: number): boolean {
    const quota = this.#perSecond;
    if (quota === undefined) return true;
    const now = this.#now();
    this.#tokens = Math.min(quota, this.#tokens + ((now - this.#refilledAt) / 1000) * quota);
    this.#refilledAt = now;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}
