/**
 * Mail transports: adapters that take a rendered OutgoingEmail and hand it to SES, an SMTP server
 * or a folder. nodemailer builds the MIME message for all of them, so the bytes a recipient gets
 * (both parts, List-Unsubscribe headers) are the same whichever way the mail leaves.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SendMailOptions } from 'nodemailer';
import nodemailer from 'nodemailer';
import { monotonicFactory } from 'ulid';
import type { OutgoingEmail } from './types.ts';

export type MailToSend = OutgoingEmail & {
  from: string;
  /**
   * What the mail is for (e.g. `subscription`, `delivery`), kept out of the message itself. SES
   * sends them as message tags, which come back in every bounce, complaint and delivery event of
   * the message (shared/delivery/email/ses-events.ts); the other transports have no use for them.
   */
  tags?: Record<string, string>;
};

/** What a transport says of a mail it accepted. */
export interface SentMail {
  messageId: string;
  /**
   * Accepted for sending only: whether it reached the recipient is reported later by the
   * provider's events (SES with a configuration set). Otherwise acceptance is all we learn.
   */
  confirmedByEvents?: boolean;
}

export interface MailTransport {
  /**
   * Sends one mail. Rejects with the underlying error (SES throttling, SMTP 4xx/5xx, disk full)
   * so the delivery layer can decide whether to retry. `messageId` is the transport's own id for
   * the accepted message: the SES MessageId (what SES bounce/complaint notifications refer to)
   * for SES, the Message-ID header otherwise.
   */
  send(mail: MailToSend): Promise<SentMail>;
}

export interface SesTransportOptions {
  client: SESv2Client;
  /**
   * The verified SES identity to send as (SendEmail's FromEmailAddress). The mail's own `from`
   * is still the From header, so it may carry a display name, e.g. `Dateline <alerts@example.org>`.
   */
  from: string;
  /** SES configuration set, for event publishing (bounces, complaints) and suppression settings. */
  configurationSet?: string;
}

export interface MailTransportConfig {
  smtpUrl?: string;
  outboxDir?: string;
  ses?: SesTransportOptions;
}

// We only ever pass strings we rendered; turning off nodemailer's "load this path or URL as
// content" feature means nothing that slips into a message can make it read files or fetch URLs.
const NO_EXTERNAL_CONTENT = { disableFileAccess: true, disableUrlAccess: true } as const;

/** SES message tags allow ASCII letters, digits, `_` and `-`, at most 256 of them. */
const sesTagText = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

function toMessage(mail: MailToSend): SendMailOptions {
  const { from, to, subject, text, html, headers } = mail;
  return { from, to, subject, text, html, headers };
}

/** Sends through SES v2 as a raw MIME message built by nodemailer. */
export function createSesTransport({ client, from, configurationSet }: SesTransportOptions): MailTransport {
  const transporter = nodemailer.createTransport({
    SES: { sesClient: client, SendEmailCommand },
    ...NO_EXTERNAL_CONTENT,
  });
  return {
    async send(mail) {
      const info = await transporter.sendMail({
        ...toMessage(mail),
        ses: {
          FromEmailAddress: from,
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          ...(mail.tags
            ? {
                EmailTags: Object.entries(mail.tags).map(([name, value]) => ({
                  Name: sesTagText(name),
                  Value: sesTagText(value),
                })),
              }
            : {}),
        },
      });
      return { messageId: info.response, ...(configurationSet ? { confirmedByEvents: true } : {}) };
    },
  };
}

/** Sends to an SMTP server given as a URL, e.g. `smtp://localhost:1025` for a local mail catcher. */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...NO_EXTERNAL_CONTENT });
  return {
    async send(mail) {
      const info = await transporter.sendMail(toMessage(mail));
      return { messageId: info.messageId };
    },
  };
}

/**
 * Writes each mail as an RFC 822 `.eml` file into `dir`, for running locally without a mail
 * server. Files appear atomically (written under a dot-prefixed temporary name, then renamed), so
 * anything watching the folder never reads a half-written message; names sort by time of sending.
 */
export function createOutboxTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    // CRLF is the canonical line ending of a message on the wire and in .eml files.
    newline: 'windows',
    ...NO_EXTERNAL_CONTENT,
  });
  // The timestamp makes names readable; the monotonic ULID keeps them ordered within a millisecond.
  const nextId = monotonicFactory();
  return {
    async send(mail) {
      const info = await transporter.sendMail(toMessage(mail));
      if (!Buffer.isBuffer(info.message)) throw new Error('Outbox transport expected a buffered message');
      const now = Date.now();
      const name = `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${nextId(now)}.eml`;
      const temp = join(dir, `.${name}.tmp`);
      await mkdir(dir, { recursive: true });
      try {
        await writeFile(temp, info.message, { flag: 'wx' });
        await rename(temp, join(dir, name));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { messageId: info.messageId };
    },
  };
}

/**
 * Picks the transport for the environment: SES when configured (AWS), else an SMTP server
 * (a local mail catcher), else the outbox folder.
 */
export function createMailTransport(config: MailTransportConfig): MailTransport {
  if (config.ses) return createSesTransport(config.ses);
  if (config.smtpUrl) return createSmtpTransport(config.smtpUrl);
  if (config.outboxDir) return createOutboxTransport(config.outboxDir);
  throw new Error('No mail transport configured: set ses, smtpUrl or outboxDir');
}
