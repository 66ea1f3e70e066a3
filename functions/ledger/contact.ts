/** Use cases on the contact item: the one place an email address lives, erasable on request. */
import type { Clock } from '../core/clock.ts';
import type { AcceptanceStore } from './store.ts';

/** Set or replace the account's contact email (false only if an erasure was recorded at the same instant or later). */
export const setContact = async (deps: { store: AcceptanceStore; clock: Clock }, accountId: string, email: string): Promise<boolean> =>
  deps.store.putContact(accountId, email, deps.clock.now().toISOString(), 'contact');

/** Erase the contact email, leaving a tombstone; acceptance, notification and choice evidence stay (they never held it). */
export const eraseContact = async (deps: { store: AcceptanceStore; clock: Clock }, accountId: string): Promise<void> =>
  deps.store.deleteContact(accountId, deps.clock.now().toISOString());
