/**
 * The feeds' libraries stay out of the API function's bundle and come with it as files: the bundle
 * is built as DatelineFunction builds it (bundleFunction), the packages are copied beside it as it
 * copies them (copyPackageFiles), and the renderers, bundled with the same options, render from
 * there in a fresh node process (nothing above a temporary folder holds a node_modules).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseFeed } from '@rowanmanning/feed-parser';
import { build } from 'esbuild';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleFunction,
  copyPackageFiles,
  esbuildOptions,
  repoRoot,
} from '../../infra/constructs/function-bundle.ts';
import { FEED_PACKAGE_FILES } from '../../shared/feeds/packages.ts';

const run = promisify(execFile);
let withPackages: string;
let withoutPackages: string;

/** Renders one event as Atom, RSS and iCalendar and prints them as JSON. */
const RENDER_SCRIPT = `
import { materialiseEvent } from './shared/events/event-service.ts';
import { feedEntry } from './shared/feeds/feed-entry.ts';
import { renderICalendar } from './shared/feeds/icalendar.ts';
import { renderAtom, renderRss } from './shared/feeds/syndication.ts';
import { eventInput } from './tests/fixtures/events.ts';
const at = '2024-07-01T10:00:00.000Z';
const event = materialiseEvent(eventInput({ title: 'Pact signed', date: '2024-06-19' }), { id: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6', createdAt: at, updatedAt: at, version: 1 });
const entries = [feedEntry(event, 'https://dateline.example.org')];
const meta = { baseUrl: 'https://dateline.example.org', filter: { kinds: [], actors: [], tags: [] }, updated: new Date(at) };
process.stdout.write(JSON.stringify({ atom: await renderAtom(entries, meta), rss: await renderRss(entries, meta), ics: await renderICalendar(entries, meta) }));
`;

async function bundleInto(outdir: string): Promise<void> {
  bundleFunction('api.ts', join(outdir, 'api'));
  // A script, not a function: one file (no chunks), beside the package copies.
  await build({
    ...esbuildOptions,
    splitting: false,
    stdin: { contents: RENDER_SCRIPT, resolveDir: repoRoot, loader: 'ts', sourcefile: 'render-feeds.ts' },
    outdir: undefined,
    outfile: join(outdir, 'render-feeds.mjs'),
    logLevel: 'silent',
  });
}

beforeAll(async () => {
  [withPackages, withoutPackages] = await Promise.all([
    mkdtemp(join(tmpdir(), 'dateline-feeds-bundle-')),
    mkdtemp(join(tmpdir(), 'dateline-feeds-bundle-bare-')),
  ]);
  await Promise.all([bundleInto(withPackages), bundleInto(withoutPackages)]);
  copyPackageFiles(withPackages, FEED_PACKAGE_FILES);
}, 90_000);

afterAll(async () => {
  await Promise.all([withPackages, withoutPackages].map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the feeds in the Lambda bundle', () => {
  it('leaves feed, xml-js, sax and ical-generator out of the api bundle', async () => {
    const files = (await readdir(join(withPackages, 'api'), { recursive: true })).filter((f) =>
      f.endsWith('.mjs'),
    );
    const bundle = (await Promise.all(files.map((f) => readFile(join(withPackages, 'api', f), 'utf8')))).join(
      '\n',
    );
    expect(bundle).not.toContain('https://github.com/jpmonette/feed');
    expect(bundle).not.toContain('X-MICROSOFT-CDO-ALLDAYEVENT');
    expect(bundle).not.toContain('xml2js');
  });

  it('renders every format from the packages copied beside the bundle', async () => {
    const { stdout } = await run(process.execPath, [join(withPackages, 'render-feeds.mjs')], {
      cwd: withPackages,
    });
    const { atom, rss, ics } = JSON.parse(stdout) as { atom: string; rss: string; ics: string };
    expect(parseFeed(atom).items.map((item) => item.title)).toEqual(['Pact signed']);
    expect(parseFeed(rss).items.map((item) => item.title)).toEqual(['Pact signed']);
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    expect(new ICAL.Event(vevent).startDate.toString()).toBe('2024-06-19');
  });

  it('cannot render without them (so the copies are what it used)', async () => {
    await expect(
      run(process.execPath, [join(withoutPackages, 'render-feeds.mjs')], { cwd: withoutPackages }),
    ).rejects.toThrow(/Cannot find package 'feed'/);
  });
});
