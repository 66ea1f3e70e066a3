/**
 * The configuration-set events real SES publishes to EventBridge for each accepted recipient
 * (`Send`, then `Delivery`, with `mail.tags`), as the SES-events Lambda receives them.
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
    readonly eventType: 'Send' | 'Delivery';
    readonly mail: {
      readonly timestamp: string;
      readonly source: string;
      readonly messageId: string;
      readonly destination: string[];
      readonly tags: Record<string, string[]>;
    };
    readonly send?: Record<string, never>;
    readonly delivery?: { timestamp: string; processingTimeMillis: number; recipients: string[]; smtpResponse: string; reportingMTA: string };
  };
}

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

/** The EventBridge event of type `eventType` for `mail`, stamped `at` (ISO time). */
export const sesEvent = (eventType: 'Send' | 'Delivery', mail: Omit<SentMail, 'tags'>, tags: Record<string, string[]>, at: string): SesEventBridgeEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': eventType === 'Send' ? 'Email Sent' : 'Email Delivered',
  source: 'aws.ses',
  account: '000000000000',
  time: at,
  region: 'local',
  resources: [],
  detail: {
    eventType,
    mail: { timestamp: at, source: mail.from, messageId: mail.messageId, destination: [mail.to], tags },
    ...(eventType === 'Send'
      ? { send: {} }
      : { delivery: { timestamp: at, processingTimeMillis: 0, recipients: [mail.to], smtpResponse: '250 2.0.0 OK', reportingMTA: 'local' } }),
  },
});

export interface SesEventEmitterOptions {
  /** Receives the events; errors it throws or rejects with are swallowed (like an event bus). */
  readonly onEvent?: (event: SesEventBridgeEvent) => void | Promise<void>;
  /** Emit `Delivery` after `Send`. @default true */
  readonly deliveryEvents?: boolean;
  /** @default the system time */
  readonly now?: () => Date;
}

/** A function that publishes the events of one accepted recipient; does nothing without `onEvent`. */
export const sesEventEmitter = (options: SesEventEmitterOptions): ((mail: SentMail) => void) => {
  const { onEvent, deliveryEvents = true, now = () => new Date() } = options;
  const publish = (event: SesEventBridgeEvent): void => {
    try {
      void Promise.resolve(onEvent!(event)).catch(() => {});
    } catch {
      // An event bus does not fail the send.
    }
  };
  return (mail) => {
    if (!onEvent) return;
    const tags = mailTags(mail.tags, mail.configurationSet);
    publish(sesEvent('Send', mail, tags, now().toISOString()));
    if (deliveryEvents) publish(sesEvent('Delivery', mail, tags, now().toISOString()));
  };
};
