/**
 * The continuous obligation through `npm start`'s stack (gateway, DynamoDB engine, SES endpoint,
 * queues, scheduler): accounts that accept version 1 during and after a running version-2
 * campaign, and one that gains its first contact address late, are each emailed exactly once,
 * reminded and defaulted at their own deadline; nobody outside the audience is emailed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/core/clock.ts';
import { startPlatform, type Platform } from '../../local/platform.ts';
import { customerAddress, platformClient } from './platform-client.ts';
import type { LocalScheduler } from '../../local/wiring/choices.ts';

const clock = fixedClock('2026-12-01T09:00:00.000Z');

describe('Late acceptors on the local platform', () => {
  let platform: Platform;
  let scheduler: LocalScheduler;
  let drain: () => Promise<void>;

  const { api, accept, mailbox } = platformClient(() => platform);
  const tick = async (at: string) => {
    clock.set(at);
    const run = await scheduler.runOnce();
    await drain();
    const processed = (step: string) => run.walks.filter((w) => w.step === step && w.scope === 'privacy-v2').reduce((sum, w) => sum + w.processed, 0);
    return { late: processed('late-enrolment'), defaulted: processed('defaults'), reminded: processed('reminders') };
  };
  const address = customerAddress;

  beforeAll(async () => {
    platform = await startPlatform({ port: 0, sesPort: 0, quiet: true, clock });
    scheduler = platform.env.shared.get('choices:scheduler') as LocalScheduler;
    const workers = platform.env.shared.get('campaigns:workers') as { drain(): Promise<void> };
    drain = () => workers.drain();
  });
  afterAll(async () => platform?.stop());

  it('emails every late acceptor once, reminds and defaults it, and nobody outside the audience', async () => {
    // Before the start: two EEA accounts, one without an address yet, and two outside the audience.
    await accept('early-de', 'DE');
    await accept('early-fr-nomail', 'FR', null);
    await accept('outside-ca', 'CA');
    await accept('outside-us', 'US');
    const start = await api('POST', '/v1/campaigns', 'admin', { noticeId: 'privacy', version: 2, dryRun: false });
    expect(start.status).toBe(202);
    await drain();
    expect((await mailbox()).get(address('early-de'))).toBe(1);

    // During the campaign: late acceptors inside and outside the audience, and a first address.
    await accept('during-it', 'IT');
    await accept('during-jp', 'JP');
    await accept('during-br', 'BR');
    const contact = await api('PUT', '/v1/accounts/early-fr-nomail/contact', 'service', { email: address('early-fr-nomail') });
    expect(contact.status).toBe(204);
    const run = await tick('2026-12-01T10:00:00.000Z');
    expect(run.late).toBe(3);
    // The next run enrols nobody again, and the repeated start stays idempotent.
    expect((await tick('2026-12-01T11:00:00.000Z')).late).toBe(0);
    expect((await api('POST', '/v1/campaigns', 'admin', { noticeId: 'privacy', version: 2, dryRun: false })).status).toBe(200);
    let mail = await mailbox();
    for (const id of ['early-de', 'during-it', 'during-jp', 'early-fr-nomail']) expect(mail.get(address(id)), id).toBe(1);

    // A week before the deadline: everyone is reminded once.
    await tick('2027-01-25T10:00:00.000Z');
    await tick('2027-01-25T11:00:00.000Z');
    mail = await mailbox();
    for (const id of ['early-de', 'during-it', 'during-jp', 'early-fr-nomail']) expect(mail.get(address(id)), id).toBe(2);

    // The deadline passes: the defaults apply; then an account accepts version 1 after it.
    const defaults = await tick('2027-02-01T00:30:00.000Z');
    expect(defaults.defaulted + defaults.late).toBe(4);
    await accept('after-es', 'ES');
    expect((await tick('2027-02-01T01:30:00.000Z')).late).toBe(1);
    const status = await api('GET', '/v1/accounts/after-es/notices/privacy/status', 'service');
    expect(status.status).toBe(200);
    expect(JSON.stringify(status.body)).toContain('2027-02-15T01:30:00.000Z'); // its own deadline: 14 days from its email
    // Its reminder a week before its own deadline, its default at it.
    expect((await tick('2027-02-08T02:00:00.000Z')).late).toBe(1);
    expect((await tick('2027-02-15T02:00:00.000Z')).late).toBe(1);

    mail = await mailbox();
    expect(mail.get(address('after-es'))).toBe(2);
    for (const id of ['outside-ca', 'outside-us', 'during-br']) expect(mail.get(address(id)), id).toBeUndefined();
    expect([...mail.values()].reduce((a, b) => a + b, 0)).toBe(10);

    const progress = (await api('GET', '/v1/campaigns/privacy-v2', 'admin')).body;
    expect(progress).toMatchObject({ audience: 5, sent: 5, failed: 0, reminded: 5, defaulted: 5 });
  }, 60_000);
});
