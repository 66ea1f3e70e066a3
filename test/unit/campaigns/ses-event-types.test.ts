import { describe, expect, it } from 'vitest';
import { detailKeyOf, notificationEventOf } from '../../../functions/campaigns/ses-event-types.ts';

describe('Function: notificationEventOf', () => {
  it.each([
    ['Send', 'sent'],
    ['Delivery', 'delivered'],
    ['Bounce', 'bounced'],
    ['Complaint', 'complained'],
    ['Reject', 'failed'],
    ['Rendering Failure', 'failed'],
    ['RenderingFailure', 'failed'],
  ])('maps %s to %s', (eventType, event) => {
    expect(notificationEventOf(eventType)).toBe(event);
  });

  it('tracks nothing else, not even our own spellings or inherited names', () => {
    for (const eventType of ['Open', 'Click', 'DeliveryDelay', 'sent', 'send', 'toString', '']) expect(notificationEventOf(eventType)).toBeUndefined();
  });
});

describe('Function: detailKeyOf', () => {
  it('names the detail block that carries the event’s own timestamp; Send has none', () => {
    expect(detailKeyOf('Bounce')).toBe('bounce');
    expect(detailKeyOf('Rendering Failure')).toBe('failure');
    expect(detailKeyOf('Send')).toBeUndefined();
  });
});
