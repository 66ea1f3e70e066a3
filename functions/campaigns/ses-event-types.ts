/**
 * SES configuration-set event types in our vocabulary, once: the `NTF` evidence event, the
 * recipient outcome and the counter all use the name given here. Types absent here (Open, Click …)
 * are not recorded; `DeliveryDelay` is no evidence but, like every event that follows an accepted
 * email, settles a recipient its attempt left `sending` (the configuration set publishes no `Send`:
 * the email's first event is its reconciliation, docs/design.md). `Send` stays in the vocabulary
 * for the local platform's recovery, which settles from SES's journal as a `Send` would. Only a
 * type import, so the SES-events Lambda stays small.
 */
import type { NotificationEvidence } from '../ledger/types.ts';

/** Our name of an SES email event (the `NTF` evidence's `event`, the counter, the `<name>At` attribute). */
export type NotificationEvent = NotificationEvidence['event'];

/** SES `eventType` → our event. */
const EVENT_OF: Readonly<Record<string, NotificationEvent>> = {
  Send: 'sent',
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Reject: 'failed',
  'Rendering Failure': 'failed',
  RenderingFailure: 'failed',
};

/** The block of event-specific detail (`delivery`, `bounce` …) that carries the event's own timestamp. */
const DETAIL_KEY: Readonly<Record<string, string>> = {
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  'Rendering Failure': 'failure',
  RenderingFailure: 'failure',
  DeliveryDelay: 'deliveryDelay',
};

/** Event types that only settle (no evidence, no counter). */
const SETTLE_ONLY: ReadonlySet<string> = new Set(['DeliveryDelay']);

/** Our name of an SES `eventType`, or undefined for one we do not track. */
export const notificationEventOf = (eventType: string): NotificationEvent | undefined => (Object.hasOwn(EVENT_OF, eventType) ? EVENT_OF[eventType] : undefined);

/** Where in the EventBridge `detail` an SES event keeps its own timestamp, if it has one. */
export const detailKeyOf = (eventType: string): string | undefined => (Object.hasOwn(DETAIL_KEY, eventType) ? DETAIL_KEY[eventType] : undefined);

/** An SES `eventType` the handler reads: one that is evidence, or one that only settles a `sending` recipient. */
export const isTrackedEvent = (eventType: string): boolean => notificationEventOf(eventType) !== undefined || SETTLE_ONLY.has(eventType);
