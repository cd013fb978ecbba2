/**
 * The README's recipe for reading a confirmation link out of the outbox: the `.eml` parts are
 * quoted-printable (long links wrapped with soft line breaks, `=` written `=3D`), and the one-liner
 * it gives decodes them. Runs the command exactly as the README prints it, on a real confirmation mail.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxTransport } from '../../shared/delivery/email/transport.ts';
import {
  type AlertStack,
  bearer,
  confirmThroughPage,
  json,
  startAlertStack,
} from '../support/alert-stack.ts';

const run = promisify(execFile);

let stack: AlertStack;
let dataDir: string;

beforeAll(async () => {
  stack = await startAlertStack();
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-outbox-link-'));
});

afterAll(async () => {
  await stack?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The README's command: the `node -e` line of the block after the outbox paragraph. */
async function readmeCommand(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const line = readme.split('\n').find((text) => text.startsWith('node -e ') && text.includes('/outbox'));
  if (!line) throw new Error('README has no outbox decoding command');
  return line;
}

describe('the outbox confirmation-link recipe', () => {
  it('prints the link of the newest mail, decoded, and the link confirms the subscription', async () => {
    const address = 'outbox-reader@example.net';
    const response = await stack.app.request(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address, filter: { tags: ['outbox-recipe'] } }),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await stack.settle();
    const [mail] = stack.memoryMail.to(address);
    expect(mail).toBeDefined();

    // An older mail first: the command reads the newest one.
    const outbox = createOutboxTransport(join(dataDir, 'outbox'));
    await outbox.send({ ...mail!, text: mail!.text.replace(/token=/g, 'token=old'), html: '' });
    await outbox.send(mail!);
    const files = (await readdir(join(dataDir, 'outbox'))).sort();
    expect(files).toHaveLength(2);
    const raw = await readFile(join(dataDir, 'outbox', files[1]!), 'utf8');
    // What makes the raw file hard to copy from: a soft line break or an encoded `=` in the link.
    expect(raw).toMatch(/token=3D/);

    const { stdout } = await run('sh', ['-c', await readmeCommand()], {
      env: { ...process.env, DATELINE_DATA_DIR: dataDir },
    });
    const link = stdout.trim();
    expect(mail!.text).toContain(link);
    expect(link).toMatch(/^http:\/\/dateline\.test\/v1\/subscriptions\/confirm\?token=[^=]/);

    const page = await confirmThroughPage((path, init) => stack.app.request(path, init), link);
    expect(page.status).toBe(200);
    const subscription = await stack.app.request(`/v1/subscriptions/${id}`, {
      headers: bearer(stack.adminKey),
    });
    expect(((await subscription.json()) as { status: string }).status).toBe('active');
  });
});
