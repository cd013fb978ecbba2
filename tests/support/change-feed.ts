import type { TimelineEvent } from '../../shared/domain/event.ts';
import type { RequestTarget } from './test-app.ts';

export interface ChangeItem {
  seq: number;
  cursor: string;
  type: 'created' | 'updated' | 'deleted';
  eventId: string;
  version: number;
  at: string;
  event?: TimelineEvent;
}

export interface ChangePage {
  items: ChangeItem[];
  nextCursor: string;
  hasMore: boolean;
}

export async function getChanges(app: RequestTarget, since: string | undefined, limit: number) {
  const query = new URLSearchParams({ limit: String(limit), ...(since ? { since } : {}) });
  const response = await app.request(`/v1/changes?${query}`);
  if (response.status !== 200)
    throw new Error(`GET /v1/changes answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ChangePage;
}

/** A client's copy of the timeline, kept in sync through the change feed. */
export class SyncedCopy {
  readonly events = new Map<string, TimelineEvent>();
  readonly applied: ChangeItem[] = [];
  cursor: string | undefined;

  /** Reads pages of `limit` from the stored cursor until the feed says there is no more; returns the pages read. */
  async sync(app: RequestTarget, limit: number): Promise<number> {
    let pages = 0;
    for (;;) {
      const page = await getChanges(app, this.cursor, limit);
      pages++;
      for (const item of page.items) this.apply(item);
      this.cursor = page.nextCursor;
      if (!page.hasMore) return pages;
      if (pages > 10_000) throw new Error('the change feed did not end');
    }
  }

  apply(item: ChangeItem): void {
    if (item.type === 'deleted') this.events.delete(item.eventId);
    else this.events.set(item.eventId, item.event!);
    this.applied.push(item);
  }

  /** The copy as the timeline lists it, ordered by id. */
  sorted(): TimelineEvent[] {
    return [...this.events.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

export const byId = (events: TimelineEvent[]) => [...events].sort((a, b) => (a.id < b.id ? -1 : 1));
