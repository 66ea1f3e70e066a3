/**
 * An account's `notified` (what a campaign offered it, until when), derived when the state is
 * read instead of written per email. The recipient item of a notice version's campaign says
 * whether its notice was sent (`status`, `sentAt`, the recipient's `region` and a late enrolee's
 * own `deadline`), and the campaign's item gives the deadline and the region's options: the same
 * fields the sender once copied onto the state item. The newest version whose campaign sent the
 * notice wins, as the old conditional write (`notified.version < :version`) made it; a `notified`
 * such a write left on a state item still counts, so earlier campaigns read the same.
 *
 * The attributes read here are those `functions/campaigns/dynamodb/recipient-store.ts` and
 * `campaign-store.ts` write.
 */
import type { ChoiceOption } from '../core/content.ts';
import type { NotifiedState } from './types.ts';

type Item = Record<string, unknown>;

/** One candidate campaign of the account's notice: its version and id, and the two items read for it. */
export interface NotifiedCandidate {
  readonly version: number;
  readonly campaignId: string;
  readonly recipient?: Item;
  readonly campaign?: Item;
}

const text = (item: Item | undefined, name: string): string | undefined => (typeof item?.[name] === 'string' ? (item[name] as string) : undefined);

/** The `notified` one campaign's items make, or undefined when it did not send this account its notice. */
const notifiedBy = (candidate: NotifiedCandidate): NotifiedState | undefined => {
  const { recipient, campaign } = candidate;
  const at = text(recipient, 'sentAt');
  const deadline = text(recipient, 'deadline') ?? text(campaign, 'deadline');
  if (recipient?.['status'] !== 'sent' || !at || !deadline) return undefined;
  const regions = Array.isArray(campaign?.['regions']) ? (campaign['regions'] as { region?: unknown; options?: unknown }[]) : [];
  const options = regions.find((r) => r.region === recipient['region'])?.options;
  return { campaignId: candidate.campaignId, version: candidate.version, deadline, options: Array.isArray(options) ? (options as ChoiceOption[]) : [], at };
};

/** The newest `notified` among the candidates and the one stored on the state item (written before it was derived), if any. */
export const derivedNotified = (candidates: readonly NotifiedCandidate[], stored?: NotifiedState): NotifiedState | undefined => {
  let newest = stored;
  for (const candidate of candidates) {
    const notified = notifiedBy(candidate);
    if (notified && (!newest || newest.version < notified.version)) newest = notified;
  }
  return newest;
};
