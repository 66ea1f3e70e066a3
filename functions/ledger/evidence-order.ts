/**
 * An account's evidence in time order: when the evidenced thing happened (an imported acceptance's
 * original time, otherwise when it was recorded), ties broken by the item's key so the order is
 * total and stable. The history route pages through this order with a sealed cursor.
 */
import { decodeCursor, encodeCursor } from './cursor.ts';
import { InvalidCursorError } from './errors.ts';
import { eventTime, type AccountEvidence, type EvidenceKind, type Page } from './types.ts';

export interface EvidenceFilter {
  readonly noticeId?: string;
  readonly kind?: EvidenceKind;
}

/** Items of the filter, oldest first; `entries` carry their sort key for the tie-break. */
export const evidenceOrder = (entries: readonly { readonly sk: string; readonly item: AccountEvidence }[], filter: EvidenceFilter = {}): AccountEvidence[] =>
  entries
    .filter(({ item }) => (filter.kind === undefined || item.kind === filter.kind) && (filter.noticeId === undefined || ('noticeId' in item && item.noticeId === filter.noticeId)))
    .map((entry) => ({ ...entry, time: eventTime(entry.item) }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))
    .map(({ item }) => item);

const CURSOR_KEYS = ['at', 'n'] as const;

/**
 * One page of the ordered items. The cursor names the instant of the last item given and how many
 * items at that instant were given, so items appended later (always at a later instant, or imported
 * with an earlier one) never shift a page already handed out.
 */
export const pageOf = (
  items: readonly AccountEvidence[],
  accountId: string,
  page: EvidenceFilter & { readonly limit: number; readonly cursor?: string },
): Page<AccountEvidence> => {
  const binding = `history:${accountId}:${page.noticeId ?? ''}:${page.kind ?? ''}`;
  let start = 0;
  if (page.cursor) {
    const key = decodeCursor(page.cursor, binding, CURSOR_KEYS);
    const seen = Number(key['n']);
    if (!Number.isSafeInteger(seen) || seen < 1) throw new InvalidCursorError();
    const first = items.findIndex((item) => eventTime(item) >= key['at']!);
    start = first === -1 ? items.length : first;
    let skipped = 0;
    while (start < items.length && skipped < seen && eventTime(items[start]!) === key['at']) {
      start += 1;
      skipped += 1;
    }
  }
  const slice = items.slice(start, start + page.limit);
  if (start + page.limit >= items.length || slice.length === 0) return { items: slice };
  const last = eventTime(slice.at(-1)!);
  // How many items at the last instant this page and the pages before it gave.
  let n = 0;
  for (let index = start + slice.length - 1; index >= 0 && eventTime(items[index]!) === last; index -= 1) n += 1;
  return { items: slice, cursor: encodeCursor({ at: last, n: String(n) }, binding) };
};
