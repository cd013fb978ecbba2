import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The local token-signing key: generated into the data dir on first start, then reused. */
export async function loadOrCreateTokenKey(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'token-key');
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (text.length >= 43) return Buffer.from(text, 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(path, key.toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
}
