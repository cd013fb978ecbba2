import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  /** Envelope recipients. */
  to: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  mails: SunkMail[];
  /** Mails to one recipient, in arrival order. */
  to(address: string): SunkMail[];
  /**
   * Makes RCPT TO for `address` answer `reply` (e.g. `550 5.1.1 user unknown`, `451 4.7.1 try later`)
   * until `accept(address)`; each refusal is counted in `refusals`.
   */
  refuse(address: string, reply: string): void;
  accept(address: string): void;
  /** RCPT TO refusals so far, per address. */
  refusals(address: string): number;
  /** Waits until `count` mails matching `predicate` arrived (polling, with a deadline). */
  waitFor(predicate: (mail: SunkMail) => boolean, count?: number, timeoutMs?: number): Promise<SunkMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that accepts every mail (unless told to refuse an address) and parses it with mailparser. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SunkMail[] = [];
  const replies = new Map<string, string>();
  const refused = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      const reply = replies.get(key);
      if (!reply) return callback();
      refused.set(key, (refused.get(key) ?? 0) + 1);
      // smtp-server writes "<responseCode> <message>": the message carries the enhanced status.
      const responseCode = Number(reply.slice(0, 3));
      callback(Object.assign(new Error(reply.slice(4)), { responseCode }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              parsed,
              raw: raw.toString('utf8'),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  const to = (address: string) => mails.filter((mail) => mail.to.includes(address));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to,
    refuse: (address, reply) => {
      if (!/^[45]\d\d /.test(reply)) throw new Error(`not an SMTP refusal: ${reply}`);
      replies.set(address.toLowerCase(), reply);
    },
    accept: (address) => {
      replies.delete(address.toLowerCase());
    },
    refusals: (address) => refused.get(address.toLowerCase()) ?? 0,
    async waitFor(predicate, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = mails.filter(predicate);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline)
          throw new Error(`SMTP sink got ${matching.length} of ${count} expected mails`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The value of a raw header line (e.g. List-Unsubscribe), as sent. */
export function headerLine(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((header) => header.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}
