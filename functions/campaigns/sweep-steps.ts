/**
 * The checkpointed sweep framework the hourly scheduler runs: a sweep step walks a scope (a
 * campaign, or a global name such as an outbox) one page at a time, `(cursor) → one page → next
 * cursor`, and the runner persists the cursor after every page (`SweepCheckpointStore`), so a run
 * that runs out of time stops between pages and the next run continues after the last finished page.
 *
 * Adding a step: write a `SweepStep` (a stable `name`, a `mode`, the `scopes` it walks this run,
 * and `page`) and add it to `SWEEP_STEPS` in `sweeps.ts` in the order it should run. A page must be
 * idempotent (a crash between the page and its checkpoint repeats that one page), and its cursor
 * must be a string (opaque to the runner; `encodeCursor`/`decodeCursor` wrap a DynamoDB key).
 */
import type { SweepCheckpointStore } from './ports.ts';

/** What one page did: the cursor after it (undefined: the walk is complete) and how many items it handled. */
export interface SweepPage {
  readonly next?: string;
  readonly processed: number;
  /** Stop this walk for this run but keep `next` (a continuous walk that has caught up). */
  readonly caughtUp?: boolean;
}

/** One step of the scheduler: which scopes it walks this run, and one page of a walk. */
export interface SweepStep<Run> {
  /** Stable: part of the checkpoint key, so renaming a step restarts its walks. */
  readonly name: string;
  /**
   * `once`: a complete walk is noted done and never run again (reminders, deadline defaults).
   * `repeat`: a complete walk starts over from the beginning on the next run (outbox drain, late enrolment).
   */
  readonly mode: 'once' | 'repeat';
  /** The scopes (campaign ids, or a global name) this step has work in for this run. */
  scopes(run: Run): Promise<readonly string[]> | readonly string[];
  /** Handle one page of `scope` from `cursor` (undefined: the start) of at most about `pageSize` items. */
  page(run: Run, scope: string, cursor: string | undefined, pageSize: number): Promise<SweepPage>;
}

/** How long a run may take: the Lambda context's remaining time, less a reserve. */
export interface SweepBudget {
  /** Milliseconds left in this invocation (`context.getRemainingTimeInMillis`). */
  remainingMs(): number;
  /** Kept free at the end of the invocation (the last checkpoint write, the report). @default 10_000 */
  readonly reserveMs?: number;
  /** What a first page is assumed to take before one has been timed. @default 5_000 */
  readonly firstPageMs?: number;
  /** Items per page. @default 500 */
  readonly pageSize?: number;
}

/** One walk's outcome in one run. */
export interface SweepWalkReport {
  readonly step: string;
  readonly scope: string;
  /** `complete`: the walk finished in this run; `partial`: it stopped for time (or caught up) with a checkpoint; `done`: finished in an earlier run; `lost`: another run moved its checkpoint. */
  readonly outcome: 'complete' | 'partial' | 'done' | 'lost';
  readonly pages: number;
  readonly processed: number;
}

export interface SweepRunReport {
  readonly walks: SweepWalkReport[];
  /** True when the run stopped before finishing every walk because the budget was spent. */
  readonly outOfTime: boolean;
}

const DEFAULT_RESERVE_MS = 10_000;
const DEFAULT_FIRST_PAGE_MS = 5_000;
const DEFAULT_PAGE_SIZE = 500;
/** A page may take this much longer than the slowest seen so far before the budget counts it. */
const PAGE_MARGIN = 1.5;

/** Run `steps` in order over their scopes, page by page, while the budget allows another page. */
export const runSweepSteps = async <Run>(
  steps: readonly SweepStep<Run>[],
  run: Run,
  checkpoints: SweepCheckpointStore,
  budget: SweepBudget,
  at: string,
): Promise<SweepRunReport> => {
  const reserveMs = budget.reserveMs ?? DEFAULT_RESERVE_MS;
  const pageSize = budget.pageSize ?? DEFAULT_PAGE_SIZE;
  const walks: SweepWalkReport[] = [];
  for (const step of steps) {
    let slowestPageMs = budget.firstPageMs ?? DEFAULT_FIRST_PAGE_MS;
    for (const scope of await step.scopes(run)) {
      const checkpoint = await checkpoints.getCheckpoint(scope, step.name);
      if (checkpoint.done && step.mode === 'once') {
        walks.push({ step: step.name, scope, outcome: 'done', pages: 0, processed: 0 });
        continue;
      }
      let { page, cursor } = checkpoint;
      let pages = 0;
      let processed = 0;
      let outcome: SweepWalkReport['outcome'] | undefined;
      while (!outcome) {
        const before = budget.remainingMs();
        if (before - reserveMs < slowestPageMs * PAGE_MARGIN) {
          walks.push({ step: step.name, scope, outcome: 'partial', pages, processed });
          return { walks, outOfTime: true };
        }
        const result = await step.page(run, scope, cursor, pageSize);
        slowestPageMs = Math.max(slowestPageMs, before - budget.remainingMs());
        const complete = result.next === undefined;
        const advanced = await checkpoints.advanceCheckpoint(scope, step.name, {
          fromPage: page,
          ...(complete ? {} : { next: result.next }),
          processed: result.processed,
          complete,
          once: step.mode === 'once',
          at,
        });
        if (!advanced) {
          outcome = 'lost';
          break;
        }
        page += 1;
        pages += 1;
        processed += result.processed;
        cursor = result.next;
        if (complete) outcome = 'complete';
        else if (result.caughtUp) outcome = 'partial';
      }
      walks.push({ step: step.name, scope, outcome, pages, processed });
    }
  }
  return { walks, outOfTime: false };
};

/** A DynamoDB key (or any JSON) as an opaque cursor string, and back. */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const decodeCursor = <T>(cursor: string): T => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
