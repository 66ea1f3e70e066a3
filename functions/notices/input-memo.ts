/**
 * Memo of finished responses keyed by the raw request inputs that select them, as a trie of Maps
 * (one level per input): a warm lookup hashes only the short strings of the event, never builds a
 * key, and no crafted value can collide with another request's inputs.
 */
import type { HttpEvent } from '../http/middleware.ts';

/** Which inputs select the response: a path parameter, query parameters and (lower-case) headers. */
export interface InputSelection {
  readonly pathParameter: string;
  readonly query: readonly string[];
  readonly headers: readonly string[];
}

type Node = Map<string | undefined, unknown>;

// Real inputs are a few dozen bytes; requests with longer ones are resolved each time, not kept.
const MAX_INPUT_LENGTH = 256;
const DEFAULT_MAX_ENTRIES = 4096;

/** A bounded trie memo over a fixed selection of inputs; `undefined` (absent) is a key of its own. */
export class InputMemo<V> {
  #root: Node = new Map();
  #entries = 0;

  constructor(
    private readonly selection: InputSelection,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /** The value memoised for exactly these inputs. Runs on every warm request: no allocation. */
  get(event: HttpEvent): V | undefined {
    let node = this.#root.get(event.pathParameters?.[this.selection.pathParameter]) as Node | undefined;
    const query = event.queryStringParameters;
    for (const name of this.selection.query) {
      if (node === undefined) return undefined;
      node = node.get(query?.[name]) as Node | undefined;
    }
    const headers = event.headers;
    for (const name of this.selection.headers) {
      if (node === undefined) return undefined;
      node = node.get(headers?.[name]) as Node | undefined;
    }
    return node as V | undefined;
  }

  /** Memoise `value` for these inputs, unless an input is oversized; starts over when full. */
  set(event: HttpEvent, value: V): void {
    const values = [
      event.pathParameters?.[this.selection.pathParameter],
      ...this.selection.query.map((name) => event.queryStringParameters?.[name]),
      ...this.selection.headers.map((name) => event.headers?.[name]),
    ];
    if (values.some((input) => input !== undefined && input.length > MAX_INPUT_LENGTH)) return;
    if (this.#entries >= this.maxEntries) this.clear();
    let node = this.#root;
    for (const input of values.slice(0, -1)) {
      let next = node.get(input) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(input, next);
      }
      node = next;
    }
    const last = values.at(-1);
    if (!node.has(last)) this.#entries += 1;
    node.set(last, value);
  }

  /** Number of memoised input combinations. */
  get size(): number {
    return this.#entries;
  }

  /** Forget everything. */
  clear(): void {
    this.#root = new Map();
    this.#entries = 0;
  }
}
