/**
 * `ChoiceRecorded` events: every recorded choice (a `delete` especially) is published so
 * downstream services can act. A port with an EventBridge adapter and an in-memory one for the
 * local platform and tests. Events carry the account id, never contact data.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ChoiceOption } from '../core/content.ts';

export const CHOICE_EVENT_SOURCE = 'disclosure.choices';
export const CHOICE_RECORDED = 'ChoiceRecorded';

export interface ChoiceRecordedEvent {
  /** Stable per (campaign, account, instant): consumers de-duplicate redeliveries on it. */
  readonly eventId: string;
  readonly campaignId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly accountId: string;
  readonly option: ChoiceOption;
  /** The option this replaces, when the account changed its mind. */
  readonly previousOption?: ChoiceOption;
  readonly defaulted: boolean;
  /** ISO 8601. */
  readonly at: string;
}

export interface ChoiceEventPublisher {
  publish(events: readonly ChoiceRecordedEvent[]): Promise<void>;
}

/** EventBridge refused some entries even after retries. */
export class ChoiceEventPublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChoiceEventPublishError';
  }
}

/** The id a choice event gets: the same choice published twice is recognisably the same event. */
export const choiceEventId = (campaignId: string, accountId: string, at: string): string => `${campaignId}/${accountId}/${at}`;

/** `PutEvents` takes at most 10 entries. */
const PUT_EVENTS_BATCH = 10;
const MAX_ATTEMPTS = 4;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes to an EventBridge bus (`EVENT_BUS_NAME`); failed entries are retried, then reported. */
export class EventBridgeChoicePublisher implements ChoiceEventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  constructor(options: { client: EventBridgeClient; eventBusName: string }) {
    if (!options.eventBusName) throw new TypeError('EventBridgeChoicePublisher needs an eventBusName');
    this.#client = options.client;
    this.#busName = options.eventBusName;
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
        if (attempt >= MAX_ATTEMPTS) throw new ChoiceEventPublishError(`EventBridge refused ${pending.length} choice events`);
        await sleep(Math.random() * 100 * 2 ** attempt);
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
