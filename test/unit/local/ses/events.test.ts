import { describe, expect, it } from 'vitest';
import { entryTags, mailTags, sesEvent, sesEventEmitter, type SesEventBridgeEvent } from '../../../../local/ses/events.ts';

const AT = new Date('2026-03-12T19:03:58.000Z');
const MAIL = { messageId: 'm-1', to: 'to@example.test', from: 'from@example.test', configurationSet: 'campaigns', tags: [{ Name: 'campaign', Value: 'c1' }] };

describe('Function: entryTags', () => {
  it('keeps the default tags an entry does not replace, then the entry’s own', () => {
    expect(
      entryTags(
        [
          { Name: 'campaign', Value: 'c1' },
          { Name: 'account', Value: 'default' },
        ],
        [{ Name: 'account', Value: 'a7' }],
      ),
    ).toEqual([
      { Name: 'campaign', Value: 'c1' },
      { Name: 'account', Value: 'a7' },
    ]);
  });
});

describe('Function: mailTags', () => {
  it('lists each tag’s value and adds the configuration set when there is one', () => {
    expect(mailTags(MAIL.tags, 'campaigns')).toEqual({ campaign: ['c1'], 'ses:configuration-set': ['campaigns'] });
    expect(mailTags(MAIL.tags, undefined)).toEqual({ campaign: ['c1'] });
  });
});

describe('Function: sesEvent', () => {
  it('builds the EventBridge shape of a Send and of a Delivery', () => {
    // Act
    const send = sesEvent('Send', MAIL, { campaign: ['c1'] }, AT.toISOString());
    const delivery = sesEvent('Delivery', MAIL, { campaign: ['c1'] }, AT.toISOString());

    // Assess
    expect(send).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Email Sent',
      source: 'aws.ses',
      account: '000000000000',
      time: AT.toISOString(),
      region: 'local',
      resources: [],
      detail: {
        eventType: 'Send',
        mail: { timestamp: AT.toISOString(), source: 'from@example.test', messageId: 'm-1', destination: ['to@example.test'], tags: { campaign: ['c1'] } },
        send: {},
      },
    });
    expect(delivery['detail-type']).toBe('Email Delivered');
    expect(delivery.detail.delivery).toEqual({
      timestamp: AT.toISOString(),
      processingTimeMillis: 0,
      recipients: ['to@example.test'],
      smtpResponse: '250 2.0.0 OK',
      reportingMTA: 'local',
    });
    expect(delivery.detail).not.toHaveProperty('send');
  });
});

describe('Function: sesEventEmitter', () => {
  it('publishes one Delivery (no Send, as deployed) for each accepted recipient, with the configuration set among the tags', () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const emit = sesEventEmitter({ onEvent: (event) => void events.push(event), now: () => AT });

    // Act
    emit(MAIL);

    // Assess
    expect(events.map((event) => event.detail.eventType)).toEqual(['Delivery']);
    expect(events[0]!.detail.mail.tags).toEqual({ campaign: ['c1'], 'ses:configuration-set': ['campaigns'] });
    expect(events[0]!.time).toBe(AT.toISOString());
    expect(events[0]!.detail.mail.timestamp).toBe(AT.toISOString());
  });

  it('publishes nothing for an ordinary address when delivery events are off', () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const emit = sesEventEmitter({ onEvent: (event) => void events.push(event), deliveryEvents: false });

    // Act
    emit(MAIL);

    // Assess
    expect(events).toEqual([]);
  });

  it('swallows a listener that throws or rejects, like an event bus', async () => {
    // Prepare
    const throwing = sesEventEmitter({
      onEvent: () => {
        throw new Error('listener failed');
      },
    });
    const rejecting = sesEventEmitter({ onEvent: async () => Promise.reject(new Error('listener failed')) });

    // Act + Assess
    expect(() => throwing(MAIL)).not.toThrow();
    expect(() => rejecting(MAIL)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });
});
