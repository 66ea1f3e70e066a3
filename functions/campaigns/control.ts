/**
 * Campaign control behind the admin API: list the campaigns with their status and counts, pause
 * and resume one. A paused campaign sends nothing (the sender parks its messages), reminds and
 * defaults nobody (the scheduler skips it); resuming puts the parked messages back on the send
 * queue (sending them twice is harmless: the sender's claim is per recipient).
 */
import { campaignIdFor } from '../core/audience.ts';
import type { ContentIndex } from '../core/content.ts';
import type { Clock } from '../core/clock.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import type { SendMessage } from './messages.ts';
import { RUN_TRANSITIONS, type RunAction, runStatusOf } from './model.ts';
import type { CampaignControlStore, CampaignStore, Queue } from './ports.ts';
import { type CampaignProgress, campaignProgress } from './progress.ts';

export interface CampaignControlDeps {
  readonly store: Pick<CampaignStore, 'snapshot'> & CampaignControlStore;
  readonly content: ContentIndex;
  readonly clock: Clock;
  /** Where resumed messages go; without it parked messages stay parked. */
  readonly sendQueue?: Queue<SendMessage>;
}

/** The campaigns are one per notice version, so the content lists the candidates in a stable order. */
const campaignIds = (content: ContentIndex): string[] =>
  content.notices.flatMap((notice) => notice.versions.map((version) => campaignIdFor(notice.noticeId, version.version)));

const encodeCursor = (offset: number): string => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
const decodeCursor = (cursor: string): number => {
  try {
    const offset = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new InvalidInputError('cursor is not one this API returned', [{ path: 'cursor', message: 'not a cursor of this list' }]);
};

/** One page of the campaigns (status and counts each), in notice and version order. */
export const listCampaigns = async (
  deps: Pick<CampaignControlDeps, 'store' | 'content'>,
  page: { limit: number; cursor?: string },
): Promise<{ items: CampaignProgress[]; cursor?: string }> => {
  const ids = campaignIds(deps.content);
  let offset = page.cursor ? decodeCursor(page.cursor) : 0;
  const items: CampaignProgress[] = [];
  while (offset < ids.length && items.length < page.limit) {
    const id = ids[offset++]!;
    try {
      items.push(await campaignProgress(deps, id));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return offset < ids.length ? { items, cursor: encodeCursor(offset) } : { items };
};

/** Put the parked send messages of a campaign back on the send queue; answers how many. */
const redriveParked = async (deps: CampaignControlDeps, campaignId: string): Promise<number> => {
  if (!deps.sendQueue) return 0;
  let moved = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await deps.store.parked(campaignId, cursor);
    const messages = page.items.map((item) => JSON.parse(item.body) as SendMessage);
    if (messages.length > 0) await deps.sendQueue.send(messages);
    await deps.store.unpark(campaignId, page.items.map((item) => item.messageId));
    moved += messages.length;
    cursor = page.cursor;
  } while (cursor);
  return moved;
};

/**
 * Pause or resume a started campaign. Repeating the move it is already in is a no-op (200); a move
 * its state does not allow is a `ConflictError` naming both states. Resume also re-drives parked messages.
 */
export const controlCampaign = async (
  deps: CampaignControlDeps,
  campaignId: string,
  action: Extract<RunAction, 'pause' | 'resume'>,
  reason?: string,
): Promise<CampaignProgress> => {
  const { moved, campaign } = await deps.store.setRunState(campaignId, action, deps.clock.now().toISOString(), reason);
  if (!campaign) throw new NotFoundError(`campaign ${campaignId} does not exist`);
  const target = RUN_TRANSITIONS[action].to;
  if (!moved && runStatusOf(campaign) !== target) {
    if (campaign.status !== 'started') throw new ConflictError(`campaign ${campaignId} has not started`, [{ field: 'status', requested: target, existing: campaign.status }]);
    throw new ConflictError(`campaign ${campaignId} is ${runStatusOf(campaign)}: it cannot ${action}`, [{ field: 'run', requested: target, existing: runStatusOf(campaign) }]);
  }
  if (action === 'resume') await redriveParked(deps, campaignId);
  return campaignProgress(deps, campaignId);
};
