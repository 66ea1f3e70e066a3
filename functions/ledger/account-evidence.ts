/** Use case: an account's whole record in time order, of one notice (contact events always: they belong to none). */
import type { AcceptanceStore } from './store.ts';
import type { AccountEvidence } from './types.ts';

export const accountEvidence = async (store: Pick<AcceptanceStore, 'listAccountEvidence'>, accountId: string, noticeId?: string): Promise<AccountEvidence[]> => {
  const items = await store.listAccountEvidence(accountId);
  return noticeId === undefined ? items : items.filter((item) => item.kind === 'contact' || item.noticeId === noticeId);
};
