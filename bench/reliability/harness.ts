/** What every reliability scenario returns: a verdict with a one-line detail, and the failures found. */
export interface ScenarioResult {
  passed: boolean;
  detail: string;
  failures: string[];
}

export interface Scenario {
  name: string;
  /** A hard bound on the scenario's run time. */
  timeoutMs: number;
  run(): Promise<ScenarioResult>;
}

/** Collects failed checks; `result` turns them into a verdict. */
export class Checks {
  readonly failures: string[] = [];

  check(ok: boolean, message: string): boolean {
    if (!ok) this.failures.push(message);
    return ok;
  }

  result(detail: string): ScenarioResult {
    return { passed: this.failures.length === 0, detail, failures: this.failures };
  }
}

export const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
};

/** Polls `condition` every `everyMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 200,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A small valid event input, distinct per `n`. */
export function eventBody(n: number, extra: Record<string, unknown> = {}) {
  return {
    kind: 'statement',
    title: `Reliability event ${n}`,
    summary: 'Written by the reliability suite.',
    date: `2024-0${1 + (n % 9)}-${String(1 + (n % 28)).padStart(2, '0')}`,
    actors: [{ type: 'state', code: n % 2 === 0 ? 'KP' : 'RU' }],
    tags: ['reliability'],
    sources: [
      {
        url: 'https://icaro.icaromediagroup.com/system/images/photos/16275633/original/open-uri20240628-56-oe3how?1719615127',
        title: 'US and Allies Accuse Russia and China of Violating Arms Embargo on North Korea',
        publisher: 'ICARO Media Group',
        publishedAt: '2024-06-28T22:45',
      },
    ],
    ...extra,
  };
}

/** Follows the timeline's cursors and returns every event id (at most `maxPages` pages of 200). */
export async function listAllEventIds(
  api: (method: string, path: string) => Promise<{ status: number; body: unknown }>,
  maxPages = 500,
): Promise<{ ids: string[]; errors: string[] }> {
  const ids: string[] = [];
  const errors: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const path: string = `/v1/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await api('GET', path);
    if (response.status !== 200) {
      errors.push(`GET ${path} answered ${response.status}`);
      break;
    }
    const body = response.body as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...body.items.map((item) => item.id));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return { ids, errors };
}
