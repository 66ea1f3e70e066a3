/**
 * Concurrent choices on the real engine (dynalite under `npm test`, DynamoDB Local under
 * `npm run test:ddb-local`): 10 links × 40 concurrent POSTs with mixed options. The evidence holds
 * exactly the distinct changes (seq 1..n, each a change of option), every 200 names one evidence
 * item, the state equals the newest evidence, every evidence item was published once, the outbox is empty.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientKey } from '../../functions/campaigns/dynamodb/keys.ts';
import { DynamoDbChoiceOutbox } from '../../functions/campaigns/dynamodb/outbox-store.ts';
import { InMemoryChoicePublisher } from '../../functions/campaigns/events.ts';
import { staticTokenKey } from '../../functions/campaigns/token-key.ts';
import { contentIndex } from '../../functions/content/index-artifact.ts';
import { CHOICE_OPTION_IDS, choiceOption } from '../../functions/core/choice-options.ts';
import { fixedClock } from '../../functions/core/clock.ts';
import { signChoiceToken } from '../../functions/core/tokens.ts';
import { makeHandler } from '../../functions/lambdas/choices.ts';
import { seededRandom } from '../../local/ses/faults.ts';
import { httpEvent, lambdaContext } from '../fakes/http-event.ts';
import { choiceEvidenceOf, eeaChoiceCampaign, seedEmailedRecipients } from './campaign-seed.ts';
import { startTestTable, type TestTable } from './engines.ts';

const LINKS = 10;
const POSTS_PER_LINK = 40;
const LINKS_AT_ONCE = 2;
const DEADLINE = '2027-02-01T00:00:00.000Z';
const key = new Uint8Array(randomBytes(32));
const campaign = eeaChoiceCampaign;

describe('Integration: concurrent choices', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await startTestTable();
  }, 120_000);
  afterAll(async () => table?.stop());

  it(`${LINKS} links × ${POSTS_PER_LINK} concurrent POSTs: evidence = the distinct changes, each 200 one item, state = newest`, async () => {
    // Prepare
    const client = table.documentClient;
    const events = new InMemoryChoicePublisher();
    const accounts = Array.from({ length: LINKS }, (_, i) => `acct-c${i}`);
    const { campaigns, recipients } = await seedEmailedRecipients(table, campaign, accounts);
    const handler = makeHandler({
      content: contentIndex,
      clock: fixedClock('2026-12-01T09:00:00.000Z'),
      logger: new Logger({ serviceName: 'choices', logLevel: process.env['DEBUG_CHOICES'] ? 'DEBUG' : 'SILENT' }),
      tokenKey: staticTokenKey(key),
      campaigns,
      ledger: table.store,
      choices: recipients,
      events,
      outbox: new DynamoDbChoiceOutbox({ tableName: table.tableName, client }),
      // High enough that no POST here meets the cap: this test is about races (the cap has its own tests).
      maxChoiceChanges: 1000,
    });
    const random = seededRandom(42);
    const requests = accounts.flatMap((accountId) =>
      Array.from({ length: POSTS_PER_LINK }, () => ({ accountId, option: CHOICE_OPTION_IDS[Math.floor(random() * CHOICE_OPTION_IDS.length)]! })),
    );
    const post = ({ accountId, option }: { accountId: string; option: string }) =>
      handler(
        httpEvent({
          method: 'POST',
          path: '/choices/t',
          routeKey: 'POST /choices/{token}',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          pathParameters: { token: signChoiceToken({ campaignId: campaign.campaignId, accountId, expiresAt: DEADLINE }, key) },
          body: `option=${option}`,
        }),
        lambdaContext(),
      );

    // Act: the 40 POSTs of a link at once, LINKS_AT_ONCE links at a time (all 400 at once overruns the SDK's 50 sockets and times out on one core)
    const responses: Awaited<ReturnType<typeof post>>[] = [];
    for (let offset = 0; offset < requests.length; offset += POSTS_PER_LINK * LINKS_AT_ONCE) {
      responses.push(...(await Promise.all(requests.slice(offset, offset + POSTS_PER_LINK * LINKS_AT_ONCE).map(post))));
    }

    // Assess
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 200), JSON.stringify(responses.find((r) => r.statusCode !== 200)?.body)).toEqual([]);
    const evidence = await choiceEvidenceOf(table.store, accounts);
    let changes = 0;
    const chosen: Record<string, number> = Object.fromEntries(CHOICE_OPTION_IDS.map((option) => [choiceOption(option).counter, 0]));
    for (const accountId of accounts) {
      const mine = evidence.filter((e) => e.accountId === accountId).sort((a, b) => a.seq - b.seq);
      changes += mine.length;
      expect(mine.map((e) => e.seq)).toEqual(mine.map((_, i) => i + 1));
      // Each item is a change: never the option of the item before it.
      mine.slice(1).forEach((e, i) => expect(e.option).not.toBe(mine[i]!.option));
      const state = await table.store.getState(accountId, 'privacy');
      expect(state?.choice).toMatchObject({ seq: mine.length, option: mine.at(-1)!.option, evidenceId: mine.at(-1)!.evidenceId });
      // The recipient's mark is the newest too, whichever concurrent writer wrote last.
      const { Item: recipient } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: recipientKey(campaign.campaignId, accountId), ConsistentRead: true }));
      expect(recipient).toMatchObject({ choice: mine.at(-1)!.option, choiceSeq: mine.length });
      chosen[choiceOption(mine.at(-1)!.option).counter]!++;
    }
    const byId = new Map(evidence.map((e) => [e.evidenceId, e]));
    responses.forEach((response, index) => {
      const body = JSON.parse(response.body ?? '{}') as { evidenceId: string; option: string; seq: number };
      expect(byId.get(body.evidenceId)).toMatchObject({ option: requests[index]!.option, seq: body.seq, accountId: requests[index]!.accountId });
    });
    expect(new Set(responses.map((r) => (JSON.parse(r.body ?? '{}') as { evidenceId: string }).evidenceId)).size).toBe(changes);
    // Published once each: by its writer (a writer that rolls another's evidence forward does not publish it).
    expect(events.events.map((e) => e.eventId).sort()).toEqual([...byId.keys()].sort());
    expect((await table.scanAll()).filter((item) => String(item['pk']).startsWith('OUTBOX#'))).toEqual([]);
    const snapshot = await campaigns.snapshot(campaign.campaignId);
    // Each option's counter: the accounts whose choice in force it is (no crash here, so no recount needed).
    expect(snapshot?.counters).toMatchObject(chosen);
    expect(Object.values(chosen).reduce((a, b) => a + b, 0)).toBe(LINKS);
    console.info(`concurrent choices (${table.engine}): ${requests.length} POSTs, ${responses.length} × 200, ${changes} evidence items (distinct changes), ${events.events.length} events`);
  }, 120_000);
});
