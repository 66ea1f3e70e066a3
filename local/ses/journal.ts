/**
 * What the local SES endpoint accepted, kept in an append-only file when the platform has a
 * `DATA_DIR`: one line per accepted recipient (its message id, address, tags and the emulator's
 * stored email), and one more once its configuration-set events are on the event queue. On open
 * the lines go back into the emulator's store, so `GET /store` survives a `kill -9`, the platform
 * can tell, after a crash, which in-flight recipients SES took, and the events a kill kept from
 * being published are published again (`pending`): SES publishes every accepted email's events,
 * whatever happens to the sender.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { SentMail } from './events.ts';

interface StoredEmail {
  readonly messageId: string;
}

/** One accepted recipient and when SES accepted it (ISO 8601). */
export interface AcceptedMail extends SentMail {
  readonly at: string;
}

interface JournalLine {
  readonly mail: AcceptedMail;
  readonly email?: StoredEmail;
}

/** The line that says a recipient's events reached the event queue. */
interface PublishedLine {
  readonly published: string;
}

const require = createRequire(import.meta.url);

/** The emulator's in-process store (module state, shared by every endpoint in the process). */
const emulatorEmails = (): StoredEmail[] =>
  (require('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: StoredEmail[] } }).getStoreReadonly().emails;

export class AcceptedJournal {
  readonly #path: string | undefined;
  readonly #accepted: AcceptedMail[] = [];
  readonly #published = new Set<string>();

  /** Without a path: nothing is kept (`accepted()` is empty; the emulator's own store still holds the emails). */
  constructor(path: string | undefined) {
    this.#path = path;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) return;
    const emails = emulatorEmails();
    const present = new Set(emails.map((email) => email.messageId));
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line) continue;
      let entry: JournalLine | PublishedLine;
      try {
        entry = JSON.parse(line) as JournalLine | PublishedLine;
      } catch {
        continue; // a line cut short by the kill: SES never answered that call, or its events go out again
      }
      if ('published' in entry) {
        this.#published.add(entry.published);
        continue;
      }
      this.#accepted.push(entry.mail);
      if (entry.email && !present.has(entry.email.messageId)) {
        emails.push(entry.email);
        present.add(entry.email.messageId);
      }
    }
  }

  /** Note one accepted recipient, synchronously (the page cache outlives a killed process). */
  record(sent: SentMail, at: Date = new Date()): void {
    if (!this.#path) return;
    const mail: AcceptedMail = { ...sent, at: at.toISOString() };
    this.#accepted.push(mail);
    const emails = emulatorEmails();
    let email: StoredEmail | undefined;
    for (let i = emails.length - 1; i >= 0 && !email; i--) if (emails[i]!.messageId === mail.messageId) email = emails[i];
    appendFileSync(this.#path, JSON.stringify({ mail, ...(email ? { email } : {}) } satisfies JournalLine) + '\n');
  }

  /** Note that one recipient's events are on the event queue. */
  published(messageId: string): void {
    if (!this.#path) return;
    this.#published.add(messageId);
    appendFileSync(this.#path, JSON.stringify({ published: messageId } satisfies PublishedLine) + '\n');
  }

  accepted(): readonly AcceptedMail[] {
    return this.#accepted;
  }

  /** The accepted recipients whose events were not published before the last stop. */
  pending(): readonly AcceptedMail[] {
    return this.#accepted.filter((mail) => !this.#published.has(mail.messageId));
  }
}
