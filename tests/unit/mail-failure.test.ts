import { describe, expect, it } from 'vitest';
import { classifyMailFailure } from '../../shared/delivery/email/mail-failure.ts';

/** An error as nodemailer's SMTP transport rejects with it (fields as it sets them). */
const smtp = (command: string, response: string) =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
    code: command === 'DATA' ? 'EMESSAGE' : 'EENVELOPE',
    command,
    response,
    responseCode: Number(response.slice(0, 3)),
  });

/** An SDK error as the SES v2 client rejects with it. */
const ses = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

describe('classifyMailFailure: the address refused for good', () => {
  it.each([
    ['RCPT TO', '550 5.1.1 user unknown'],
    ['RCPT TO', '550 5.1.10 Recipient address rejected: domain has a null MX'],
    ['RCPT TO', '551 5.1.6 mailbox has moved'],
    ['RCPT TO', '550 5.2.1 mailbox disabled, not accepting messages'],
    ['DATA', '550 5.1.1 The email account that you tried to reach does not exist'],
    ['RCPT TO', '550 No such user here'],
    ['RCPT TO', '553 mailbox name not allowed'],
  ])('%s %s', (command, response) => {
    expect(classifyMailFailure(smtp(command, response))).toEqual({ kind: 'refused', detail: response });
  });
});

describe('classifyMailFailure: the address could not take it now (counted, retried)', () => {
  it.each([
    ['RCPT TO', '450 4.2.1 mailbox busy'],
    ['RCPT TO', '452 4.2.2 mailbox full'],
    ['RCPT TO', '552 5.2.2 mailbox full'],
    ['RCPT TO', '554 transaction failed'],
    ['DATA', '550 message refused'],
    ['RCPT TO', '550 5.4.1 Recipient address rejected: Access denied'],
  ])('%s %s', (command, response) => {
    expect(classifyMailFailure(smtp(command, response))).toMatchObject({ kind: 'temporary' });
  });
});

describe('classifyMailFailure: backpressure', () => {
  it.each([
    ['RCPT TO', '451 4.7.1 Please try again later'],
    ['MAIL FROM', '421 4.7.0 Too many connections'],
  ])('%s %s', (command, response) => {
    expect(classifyMailFailure(smtp(command, response))).toMatchObject({ kind: 'throttled' });
  });

  it('SES throttling', () => {
    expect(
      classifyMailFailure(ses('TooManyRequestsException', 'Maximum sending rate exceeded.')),
    ).toMatchObject({ kind: 'throttled' });
  });
});

describe('classifyMailFailure: our own side, never the subscriber', () => {
  it.each([
    ['MAIL FROM', '553 5.1.8 Sender domain refused'],
    ['RCPT TO', '554 5.7.1 Relay access denied'],
    ['RCPT TO', '550 relaying denied'],
    ['DATA', '550 5.7.26 Unauthenticated email is not accepted (DMARC)'],
    ['DATA', '552 5.3.4 Message size exceeds fixed limit'],
    ['AUTH PLAIN', '535 5.7.8 Authentication credentials invalid'],
  ])('%s %s', (command, response) => {
    expect(classifyMailFailure(smtp(command, response))).toMatchObject({ kind: 'ours' });
  });

  it('a relay that cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), {
      code: 'ESOCKET',
      command: 'CONN',
    });
    expect(classifyMailFailure(refused)).toEqual({
      kind: 'ours',
      detail: 'connect ECONNREFUSED 127.0.0.1:25',
    });
  });

  it.each([
    ['MessageRejected', 'Email address is not verified.'],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain is not verified'],
    ['AccountSuspendedException', 'Account suspended'],
    ['SendingPausedException', 'Sending paused for this configuration set'],
    ['NotFoundException', 'Configuration set does not exist'],
  ])('SES %s', (name, message) => {
    expect(classifyMailFailure(ses(name, message))).toEqual({ kind: 'ours', detail: `${name}: ${message}` });
  });

  it('a full disk under the outbox', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    expect(classifyMailFailure(full)).toMatchObject({ kind: 'ours' });
  });
});
