import { SendBulkEmailCommand, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSesEndpoint, type SesEndpoint, type SesEndpointOptions, type SesEventBridgeEvent } from '../../../local/ses-endpoint.ts';

const FROM = 'noreply@example.test';

const clientFor = (endpoint: string): SESv2Client =>
  new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

const bulkTo = (recipients: readonly string[]): SendBulkEmailCommand =>
  new SendBulkEmailCommand({
    FromEmailAddress: FROM,
    ConfigurationSetName: 'campaigns',
    DefaultContent: { Template: { TemplateContent: { Subject: 'Notice', Text: 'Hello' } } },
    DefaultEmailTags: [{ Name: 'campaign', Value: 'c1' }],
    BulkEmailEntries: recipients.map((to) => ({ Destination: { ToAddresses: [to] }, ReplacementTags: [{ Name: 'account', Value: to.split('@')[0]! }] })),
  });

describe('Function: startSesEndpoint', () => {
  let endpoint: SesEndpoint | undefined;
  let client: SESv2Client | undefined;
  const start = async (options: Omit<SesEndpointOptions, 'port'> = {}): Promise<{ endpoint: SesEndpoint; client: SESv2Client }> => {
    endpoint = await startSesEndpoint({ port: 0, ...options });
    client = clientFor(endpoint.endpoint);
    return { endpoint, client };
  };
  afterEach(async () => {
    client?.destroy();
    await endpoint?.stop();
    endpoint = undefined;
    client = undefined;
  });

  it('accepts a single send, counts it and publishes one Delivery (no Send) with the tags and configuration set', async () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const ses = await start({ onEvent: (event) => void events.push(event) });

    // Act
    const sent = await ses.client.send(
      new SendEmailCommand({
        FromEmailAddress: FROM,
        ConfigurationSetName: 'campaigns',
        Destination: { ToAddresses: ['a1@example.test'] },
        Content: { Simple: { Subject: { Data: 'Notice' }, Body: { Text: { Data: 'Hello' } } } },
        EmailTags: [{ Name: 'campaign', Value: 'c1' }],
      }),
    );

    // Assess
    expect(sent.MessageId).toEqual(expect.any(String));
    expect(ses.endpoint.counters).toMatchObject({ calls: 1, bulkCalls: 0, accepted: 1 });
    expect(events.map((event) => event.detail.eventType)).toEqual(['Delivery']);
    expect(events[0]!.detail.mail).toMatchObject({
      messageId: sent.MessageId,
      source: FROM,
      destination: ['a1@example.test'],
      tags: { campaign: ['c1'], 'ses:configuration-set': ['campaigns'] },
    });
  });

  it('sends a bulk call entry by entry, each with the default tags it does not replace', async () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const ses = await start({ onEvent: (event) => void events.push(event) });

    // Act
    const sent = await ses.client.send(bulkTo(['a1@example.test', 'a2@example.test']));

    // Assess
    expect(sent.BulkEmailEntryResults?.map((result) => result.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(ses.endpoint.counters).toMatchObject({ calls: 1, bulkCalls: 1, accepted: 2 });
    expect(events.map((event) => event.detail.mail.tags['account'])).toEqual([['a1'], ['a2']]);
    expect(events[0]!.detail.mail.tags['campaign']).toEqual(['c1']);
  });

  it('answers 429 TooManyRequestsException beyond the recipients-per-second quota', async () => {
    // Prepare
    const ses = await start({ quotaPerSecond: 2 });
    await ses.client.send(bulkTo(['a1@example.test', 'a2@example.test']));

    // Act
    const refused = ses.client.send(bulkTo(['a3@example.test', 'a4@example.test']));

    // Assess
    await expect(refused).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(ses.endpoint.counters).toMatchObject({ calls: 2, throttled: 1, accepted: 2 });
  });

  it('reports injected entry failures without sending those entries', async () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const ses = await start({ faults: { entryFailureRate: 1 }, onEvent: (event) => void events.push(event) });

    // Act
    const sent = await ses.client.send(bulkTo(['a1@example.test', 'a2@example.test']));

    // Assess
    expect(sent.BulkEmailEntryResults?.map((result) => result.Status)).toEqual(['TRANSIENT_FAILURE', 'ACCOUNT_THROTTLED']);
    expect(ses.endpoint.counters).toMatchObject({ entryFailures: 2, accepted: 0 });
    expect(events).toEqual([]);
  });

  it('answers an injected transient failure with a 500 and sends nothing', async () => {
    // Prepare
    const ses = await start({ faults: { transientRate: 1 } });

    // Act
    const failed = ses.client.send(bulkTo(['a1@example.test']));

    // Assess
    await expect(failed).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(ses.endpoint.counters).toMatchObject({ calls: 1, transient: 1, accepted: 0 });
  });

  it('passes other requests to the emulator, whose store lists what was sent', async () => {
    // Prepare
    const ses = await start();
    await ses.client.send(bulkTo(['store-check@example.test']));

    // Act
    const store = (await (await fetch(`${ses.endpoint.endpoint}/store`)).json()) as { emails: unknown[] };

    // Assess
    expect(store.emails.some((email) => JSON.stringify(email).includes('store-check@example.test'))).toBe(true);
  });

  it('answers the SES mailbox-simulator addresses with the events SES publishes for them (labels too)', async () => {
    // Prepare
    const events: SesEventBridgeEvent[] = [];
    const ses = await start({ onEvent: (event) => void events.push(event) });
    const addresses = ['success', 'bounce+a1', 'complaint', 'suppressionlist', 'ooto', 'Bounce+VERP-x'].map((name) => `${name}@simulator.amazonses.com`);

    // Act
    await ses.client.send(bulkTo(addresses));
    // The simulated mailboxes answer a moment after the send: wait for all 13 events (at most 10 s).
    for (let waited = 0; events.length < 13 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess: per address, the event types in order and the bounce's type and subtype (SES docs, "Using the mailbox simulator").
    const byAddress = (to: string) => events.filter((event) => event.detail.mail.destination[0] === to);
    const types = (to: string) => byAddress(to).map((event) => event.detail.eventType);
    const bounceOf = (to: string) => byAddress(to).find((event) => event.detail.eventType === 'Bounce')?.detail['bounce'] as Record<string, any> | undefined;
    expect(types('success@simulator.amazonses.com')).toEqual(['Delivery']);
    expect(types('bounce+a1@simulator.amazonses.com')).toEqual(['Bounce']);
    expect(bounceOf('bounce+a1@simulator.amazonses.com')).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'bounce+a1@simulator.amazonses.com', status: '5.1.1', diagnosticCode: expect.stringContaining('550 5.1.1') }],
    });
    expect(types('complaint@simulator.amazonses.com')).toEqual(['Delivery', 'Complaint']);
    expect(types('suppressionlist@simulator.amazonses.com')).toEqual(['Bounce']);
    expect(bounceOf('suppressionlist@simulator.amazonses.com')).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'OnAccountSuppressionList',
      bouncedRecipients: [{ diagnosticCode: expect.stringContaining('suppression list') }],
    });
    // An out-of-office reply goes to the return path, not to the event stream: delivered.
    expect(types('ooto@simulator.amazonses.com')).toEqual(['Delivery']);
    expect(types('Bounce+VERP-x@simulator.amazonses.com')).toEqual(['Bounce']);
  });

  it('with a journal, publishes after a restart the events a stop kept from the event queue, once', async () => {
    // Prepare: the first run's event bus refuses everything (a kill before the events reached the queue).
    const dir = mkdtempSync(join(tmpdir(), 'ses-journal-'));
    const journal = join(dir, 'accepted.jsonl');
    try {
      const first = await start({ journal, onEvent: () => Promise.reject(new Error('bus gone')) });
      const sent = await first.client.send(bulkTo(['p1@example.test', 'p2@example.test']));
      const messageIds = (sent.BulkEmailEntryResults ?? []).map((result) => result.MessageId);
      client?.destroy();
      await endpoint?.stop();

      // Act: restart on the same journal with a working bus
      const events: SesEventBridgeEvent[] = [];
      const second = await start({ journal, onEvent: (event) => void events.push(event) });
      const published = await second.endpoint.publishPending();
      const again = await second.endpoint.publishPending();
      client?.destroy();
      await endpoint?.stop();
      const third = await start({ journal, onEvent: (event) => void events.push(event) });

      // Assess: each accepted email's Delivery exactly once, across two more starts
      expect(published).toBe(2);
      expect(again).toBe(0);
      expect(await third.endpoint.publishPending()).toBe(0);
      expect(events.map((event) => [event.detail.eventType, event.detail.mail.messageId])).toEqual(messageIds.map((id) => ['Delivery', id]));
      expect(third.endpoint.accepted().map((mail) => mail.messageId)).toEqual(messageIds);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a journal, leaves nothing pending when the events reached the queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ses-journal-'));
    const journal = join(dir, 'accepted.jsonl');
    try {
      const events: SesEventBridgeEvent[] = [];
      const first = await start({ journal, onEvent: (event) => void events.push(event) });
      await first.client.send(bulkTo(['q1@example.test']));
      await new Promise((resolve) => setImmediate(resolve));
      client?.destroy();
      await endpoint?.stop();
      const second = await start({ journal, onEvent: (event) => void events.push(event) });
      expect(await second.endpoint.publishPending()).toBe(0);
      expect(events).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
