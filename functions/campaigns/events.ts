/**
 * `ChoiceRecorded` events: every recorded choice (a `delete` especially) is published so
 * downstream services can act. The adapters of the `ChoiceEventPublisher` port (`ports.ts`):
 * EventBridge, and in memory for the local platform and tests. Events carry the account id,
 * never contact data.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { systemTimers } from '../core/clock.ts';
import { backoffMs, type RetryPolicy, type Timers } from '../core/retry.ts';
import type { ChoiceRecordedEvent } from './model.ts';
import type { ChoiceEventPublisher } from './ports.ts';


export const CHOICE_EVENT_SOURCE = 'disclosure.choices';
export const CHOICE_RECORDED = 'ChoiceRecorded';

/** EventBridge refused some entries even after retries. */
export class ChoiceEventPublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChoiceEventPublishError';
  }
}

/** `PutEvents` takes at most 10 entries. */
const PUT_EVENTS_BATCH = 10;
/** Refused entries are published again, 4 attempts in all, backing off from 200 ms. */
const PUT_EVENTS_RETRY: RetryPolicy = { attempts: 4, baseMs: 100, maxMs: 60_000 };

/** Publishes to an EventBridge bus (`EVENT_BUS_NAME`); failed entries are retried, then reported. */
export class EventBridgeChoicePublisher implements ChoiceEventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #timers: Timers;

  /** `timers` wait between retries of refused entries (@default systemTimers). */
  constructor(options: { client: EventBridgeClient; eventBusName: string; timers?: Timers }) {
    if (!options.eventBusName) throw new TypeError('EventBridgeChoicePublisher needs an eventBusName');
    this.#client = options.client;
    this.#busName = options.eventBusName;
    this.#timers = options.timers ?? systemTimers;
  }

  async publish(events: readonly ChoiceRecordedEvent[]): Promise<void> {
    for (let offset = 0; offset < events.length; offset += PUT_EVENTS_BATCH) {
      let pending = events.slice(offset, offset + PUT_EVENTS_BATCH).map((event) => ({
        EventBusName: this.#busName,
        Source: CHOICE_EVENT_SOURCE,
        DetailType: CHOICE_RECORDED,
        Time: new Date(event.at),
        Resources: [],
        Detail: JSON.stringify(event),
      }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const result = await this.#client.send(new PutEventsCommand({ Entries: pending }));
        if (!result.FailedEntryCount) break;
        // Entries answer in request order; keep the ones that carry an error code.
        pending = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
        if (attempt >= PUT_EVENTS_RETRY.attempts) throw new ChoiceEventPublishError(`EventBridge refused ${pending.length} choice events`);
        await this.#timers.sleep(backoffMs(attempt, PUT_EVENTS_RETRY, this.#timers.random));
      }
    }
  }
}

/** Keeps published events in memory (local platform, tests, the demo) and tells a listener. */
export class InMemoryChoicePublisher implements ChoiceEventPublisher {
  readonly events: ChoiceRecordedEvent[] = [];
  readonly #onEvent: ((event: ChoiceRecordedEvent) => void) | undefined;

  constructor(onEvent?: (event: ChoiceRecordedEvent) => void) {
    this.#onEvent = onEvent;
  }

  async publish(events: readonly ChoiceRecordedEvent[]): Promise<void> {
    for (const event of events) {
      this.events.push(event);
      this.#onEvent?.(event);
    }
  }
}
