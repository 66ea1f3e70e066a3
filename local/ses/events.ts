/**
 * The configuration-set events real SES publishes to EventBridge for each accepted recipient
 * (`Delivery`, with `mail.tags`), as the SES-events Lambda receives them; the mailbox-simulator
 * addresses get what SES sends for them (`MAILBOX_SIMULATOR`: bounce, complaint …). Like the
 * deployed configuration set, which does not subscribe to it, no `Send` is published: the email's
 * first event settles a recipient its attempt left `sending` (one event per email).
 */
import { randomUUID } from 'node:crypto';

/** An SES event as EventBridge delivers it (the SES-events Lambda's input). */
export interface SesEventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.ses';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly eventType: SimulatedEventType;
    readonly mail: {
      readonly timestamp: string;
      readonly source: string;
      readonly messageId: string;
      readonly destination: string[];
      readonly tags: Record<string, string[]>;
    };
    readonly send?: Record<string, never>;
    readonly delivery?: { timestamp: string; processingTimeMillis: number; recipients: string[]; smtpResponse: string; reportingMTA: string };
    readonly bounce?: {
      bounceType: string;
      bounceSubType: string;
      bouncedRecipients: { emailAddress: string; action: string; status: string; diagnosticCode: string }[];
      timestamp: string;
      feedbackId: string;
      reportingMTA: string;
    };
    readonly complaint?: { complainedRecipients: { emailAddress: string }[]; timestamp: string; feedbackId: string; complaintFeedbackType: string; userAgent: string; arrivalDate: string };
  };
}

export type SimulatedEventType = 'Send' | 'Delivery' | 'Bounce' | 'Complaint';

/**
 * The SES mailbox simulator (docs: "Using the mailbox simulator"): what SES publishes for mail to
 * `<name>[+label]@simulator.amazonses.com`. Any other address is delivered.
 */
export const MAILBOX_SIMULATOR: Readonly<Record<string, readonly { type: SimulatedEventType; bounce?: readonly [string, string] }[]>> = {
  success: [{ type: 'Delivery' }],
  // A hard bounce: the address does not exist.
  bounce: [{ type: 'Bounce', bounce: ['Permanent', 'General'] }],
  // Delivered, then the recipient marks it as spam.
  complaint: [{ type: 'Delivery' }, { type: 'Complaint' }],
  // On the account-level suppression list: SES does not even try, and reports a bounce.
  suppressionlist: [{ type: 'Bounce', bounce: ['Permanent', 'OnAccountSuppressionList'] }],
  // Delivered; the out-of-office reply goes to the sender's return path, not to the event stream.
  ooto: [{ type: 'Delivery' }],
};

/** The simulator scenario of an address, or undefined for an ordinary one. */
export const simulatorScenario = (address: string): (typeof MAILBOX_SIMULATOR)[string] | undefined => {
  const match = /^([a-z]+)(?:\+[^@]*)?@simulator\.amazonses\.com$/i.exec(address.trim());
  const name = match?.[1]?.toLowerCase();
  return name && Object.hasOwn(MAILBOX_SIMULATOR, name) ? MAILBOX_SIMULATOR[name] : undefined;
};

const DETAIL_TYPE: Record<SimulatedEventType, string> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
};

export interface SesTag {
  readonly Name: string;
  readonly Value: string;
}

/** One accepted recipient of one message. */
export interface SentMail {
  readonly messageId: string;
  readonly to: string;
  readonly from: string;
  readonly configurationSet: string | undefined;
  readonly tags: readonly SesTag[];
}

/** A bulk entry's tags: the defaults it does not replace, then its own. */
export const entryTags = (defaults: readonly SesTag[], replacements: readonly SesTag[]): SesTag[] => [
  ...defaults.filter((tag) => !replacements.some((replacement) => replacement.Name === tag.Name)),
  ...replacements,
];

/** `mail.tags` as SES writes them: one list per tag, the configuration set among them. */
export const mailTags = (tags: readonly SesTag[], configurationSet: string | undefined): Record<string, string[]> => {
  const byName: Record<string, string[]> = {};
  for (const tag of tags) byName[tag.Name] = [tag.Value];
  if (configurationSet) byName['ses:configuration-set'] = [configurationSet];
  return byName;
};

/** The EventBridge event of type `eventType` for `mail`, stamped `at` (ISO time), of a mail SES accepted at `sentAt` (default `at`). */
export const sesEvent = (
  eventType: SimulatedEventType,
  mail: Omit<SentMail, 'tags'>,
  tags: Record<string, string[]>,
  at: string,
  bounce: readonly [string, string] = ['Permanent', 'General'],
  sentAt: string = at,
): SesEventBridgeEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': DETAIL_TYPE[eventType],
  source: 'aws.ses',
  account: '000000000000',
  time: at,
  region: 'local',
  resources: [],
  detail: {
    eventType,
    mail: { timestamp: sentAt, source: mail.from, messageId: mail.messageId, destination: [mail.to], tags },
    ...(eventType === 'Send' ? { send: {} } : {}),
    ...(eventType === 'Delivery' ? { delivery: { timestamp: at, processingTimeMillis: 0, recipients: [mail.to], smtpResponse: '250 2.0.0 OK', reportingMTA: 'local' } } : {}),
    ...(eventType === 'Bounce'
      ? {
          bounce: {
            bounceType: bounce[0],
            bounceSubType: bounce[1],
            // SES never tries an address on the account's suppression list: no SMTP answer, its own reason.
            bouncedRecipients: [
              bounce[1] === 'OnAccountSuppressionList'
                ? { emailAddress: mail.to, action: 'failed', status: '5.1.1', diagnosticCode: 'Amazon SES did not send the message to this address because it is on the suppression list for your account.' }
                : { emailAddress: mail.to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
            ],
            timestamp: at,
            feedbackId: randomUUID(),
            reportingMTA: 'dsn; local',
          },
        }
      : {}),
    ...(eventType === 'Complaint'
      ? { complaint: { complainedRecipients: [{ emailAddress: mail.to }], timestamp: at, feedbackId: randomUUID(), complaintFeedbackType: 'abuse', userAgent: 'local', arrivalDate: at } }
      : {}),
  },
});

export interface SesEventEmitterOptions {
  /** Receives the events; errors it throws or rejects with are swallowed (like an event bus). */
  readonly onEvent?: (event: SesEventBridgeEvent) => void | Promise<void>;
  /** Emit the `Delivery` of an ordinary address (without it, only simulator addresses get events). @default true */
  readonly deliveryEvents?: boolean;
  /** @default the system time */
  readonly now?: () => Date;
}

/**
 * A function that publishes the events of one accepted recipient, answering whether every one
 * reached `onEvent` (false: not all did; a journal publishes them again at the next start); does
 * nothing without `onEvent`.
 */
export const sesEventEmitter = (options: SesEventEmitterOptions): ((mail: SentMail) => Promise<boolean>) => {
  const { onEvent, deliveryEvents = true, now = () => new Date() } = options;
  const publish = async (event: SesEventBridgeEvent): Promise<boolean> => {
    try {
      await onEvent!(event);
      return true;
    } catch {
      // An event bus does not fail the send.
      return false;
    }
  };
  return async (mail) => {
    if (!onEvent) return false;
    const tags = mailTags(mail.tags, mail.configurationSet);
    const scenario = simulatorScenario(mail.to);
    if (scenario) {
      // The mailbox's answer (bounce, complaint) reaches SES after the send: a second per step, so
      // evidence read in time order shows the send first even on a frozen clock.
      const sentAt = now().getTime();
      const accepted = new Date(sentAt).toISOString();
      const published = await Promise.all(scenario.map((step, index) => publish(sesEvent(step.type, mail, tags, new Date(sentAt + (index + 1) * 1000).toISOString(), step.bounce, accepted))));
      return published.every(Boolean);
    }
    return deliveryEvents ? publish(sesEvent('Delivery', mail, tags, now().toISOString())) : true;
  };
};
