/** Use cases on the contact item: the one place an email address lives, erasable on request. */
import type { Clock } from '../core/clock.ts';
import type { AcceptanceStore } from './store.ts';

/** Set or replace the account's contact email. */
export const setContact = async (deps: { store: AcceptanceStore; clock: Clock }, accountId: string, email: string): Promise<void> =>
  deps.store.putContact(accountId, email, deps.clock.now().toISOString());

/** Erase the contact email; acceptance, notification and choice evidence stay (they never held it). */
export const eraseContact = async (deps: { store: AcceptanceStore }, accountId: string): Promise<void> => deps.store.deleteContact(accountId);
