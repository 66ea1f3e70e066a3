/** Time is a port: the core never reads the system clock, callers pass `now`. */
import type { Timers } from './retry.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at (or advanced from) a given instant, for tests and the demo. */
export const fixedClock = (start: Date | string): Clock & { set(d: Date | string): void; advance(ms: number): void } => {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (d) => { current = new Date(d); },
    advance: (ms) => { current = new Date(current.getTime() + ms); },
  };
};

/** Real waiting and randomness (`setTimeout`, `Math.random`): the default `Timers` of every adapter. */
export const systemTimers: Timers = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** Timers that never wait (they only count what was asked), for tests. */
export const instantTimers = (random: () => number = () => 0.5): Timers & { readonly slept: number[] } => {
  const slept: number[] = [];
  return { slept, sleep: async (ms) => { slept.push(ms); }, random };
};
