/** `ChoiceOutbox` in memory, one page for all entries (tests of the use cases). */
import type { ChoiceOutbox, OutboxEntry } from '../../functions/campaigns/ports.ts';

const keyOf = (entry: OutboxEntry): string => `${entry.campaignId}|${entry.accountId}|${entry.seq}|${entry.writer}`;

export class InMemoryChoiceOutbox implements ChoiceOutbox {
  readonly entries = new Map<string, OutboxEntry>();

  async add(entry: OutboxEntry): Promise<void> {
    this.entries.set(keyOf(entry), entry);
  }

  async remove(entry: OutboxEntry): Promise<void> {
    this.entries.delete(keyOf(entry));
  }

  async page(input: { cursor?: string; limit: number }): Promise<{ entries: OutboxEntry[]; cursor?: string }> {
    const all = [...this.entries.values()];
    const from = input.cursor ? Number(input.cursor) : 0;
    const entries = all.slice(from, from + input.limit);
    return from + input.limit < all.length ? { entries, cursor: String(from + input.limit) } : { entries };
  }
}
