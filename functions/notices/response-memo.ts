/**
 * Finished responses, memoised: the serving path selects precomputed bytes, so after the first
 * request for a given input every later one is a map lookup. Entries carry a validity instant
 * because "latest" and its max-age change when the calendar reaches the next effective date.
 */
import type { HttpResult } from '../http/middleware.ts';

export interface MemoEntry {
  readonly ok: HttpResult;
  readonly notModified: HttpResult;
  /** The entity tag as sent (`"…"`), for If-None-Match. */
  readonly etag: string;
  /** Epoch ms after which the entry must be rebuilt; `Infinity` for immutable responses. */
  readonly validUntil: number;
}

// Hostile callers can vary inputs endlessly; a bounded map that starts over keeps memory flat.
const DEFAULT_MAX_ENTRIES = 4096;

/** A bounded memo of finished responses keyed by the raw inputs that select them. */
export class ResponseMemo {
  readonly #entries = new Map<string, MemoEntry>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** The entry for `key` if it is still valid at `now()`. */
  get(key: string, now: () => number): MemoEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.validUntil !== Infinity && now() >= entry.validUntil) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: MemoEntry): MemoEntry {
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, entry);
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}
