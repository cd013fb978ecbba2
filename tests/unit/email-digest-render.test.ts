import { describe, expect, it } from 'vitest';
import {
  type DigestEmailInput,
  type ListedEvent,
  renderDigestEmail,
  renderReplayEmail,
} from '../../shared/delivery/email/render-digest.ts';
import type { AlertEvent } from '../../shared/delivery/email/types.ts';

const TO = 'reader@example.net';
const UNSUBSCRIBE = 'https://dateline.example/v1/unsubscribe?token=tok_abc';

function anEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: '01J1Z0Y9X8W7V6T5S4R3Q2P1N0',
    kind: 'missile-launch',
    title: 'Ballistic missiles fired at Ukraine',
    summary: 'Four ballistic missiles, possibly supplied by the DPRK, were fired at Ukraine.',
    date: '2024-06-15~',
    earliest: '2024-06-15',
    latest: '2024-06-15',
    precision: 'day',
    location: { name: 'Kharkiv', country: 'UA' },
    actors: [
      { type: 'state', code: 'RU' },
      { type: 'state', code: 'KP' },
    ],
    tags: ['ballistic-missiles'],
    sources: [
      {
        url: 'https://news.example.org/2024/06/missiles',
        title: 'Missiles fired',
        publisher: 'ICARO Media Group',
        publishedAt: '2024-06-28T22:45',
      },
    ],
    ...overrides,
  };
}

const created = (at = '2024-06-27T09:00:00.000Z') => ({ type: 'event.created' as const, at });

function listed(overrides: Partial<ListedEvent> = {}): ListedEvent {
  return {
    status: 'created',
    event: anEvent(),
    changes: [created()],
    eventUrl: 'https://dateline.example/v1/events/01J1Z0Y9X8W7V6T5S4R3Q2P1N0',
    ...overrides,
  };
}

function aDigest(overrides: Partial<DigestEmailInput> = {}): DigestEmailInput {
  return {
    frequency: 'daily',
    period: { start: '2024-06-27T07:00:00.000Z', end: '2024-06-28T07:00:00.000Z' },
    items: [listed()],
    omitted: 0,
    timelineUrl: 'https://dateline.example/v1/events',
    unsubscribeUrl: UNSUBSCRIBE,
    manageNote: 'You get this because you subscribed to actor KP.',
    ...overrides,
  };
}

describe('renderDigestEmail', () => {
  it('names the period and how many events changed in the subject', () => {
    const two = aDigest({
      items: [listed(), listed({ event: anEvent({ id: '01J1Z0Y9X8W7V6T5S4R3Q2P1N1' }) })],
    });
    expect(renderDigestEmail(TO, two).subject).toBe('[Dateline] Daily digest, 28 June 2024: 2 events');
  });

  it('gives a weekly digest the days its week spans (Monday 07:00 to Monday 07:00)', () => {
    const weekly = aDigest({
      frequency: 'weekly',
      period: { start: '2024-06-24T07:00:00.000Z', end: '2024-07-01T07:00:00.000Z' },
    });
    expect(renderDigestEmail(TO, weekly).subject).toBe(
      '[Dateline] Weekly digest, 24 June 2024 – 1 July 2024: 1 event',
    );
  });

  it('lists each event with its date in words and as written, its sources and its link, in both parts', () => {
    const mail = renderDigestEmail(TO, aDigest());
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Ballistic missiles fired at Ukraine');
      expect(part).toContain('mid-June 2024');
      expect(part).toContain('Written as 2024-06-15~');
      expect(part).toContain('ICARO Media Group, published 28 June 2024');
      expect(part).toContain('https://news.example.org/2024/06/missiles');
      expect(part).toContain('https://dateline.example/v1/events/01J1Z0Y9X8W7V6T5S4R3Q2P1N0');
    }
  });

  it('says what happened to each event: new, updated with the fields, deleted', () => {
    const mail = renderDigestEmail(
      TO,
      aDigest({
        items: [
          listed({
            changes: [
              created(),
              { type: 'event.updated', at: '2024-06-27T10:00:00.000Z', changed: ['date'] },
            ],
          }),
          listed({
            status: 'updated',
            event: anEvent({ id: 'b', title: 'Pact signed' }),
            changes: [
              { type: 'event.updated', at: '2024-06-27T10:00:00.000Z', changed: ['date'] },
              { type: 'event.updated', at: '2024-06-27T11:00:00.000Z', changed: ['title'] },
            ],
          }),
          listed({
            status: 'deleted',
            event: anEvent({ id: 'c', title: 'Draft withdrawn' }),
            changes: [{ type: 'event.deleted', at: '2024-06-27T12:00:00.000Z' }],
            eventUrl: undefined,
          }),
        ],
      }),
    );
    expect(mail.text).toContain('1. New, then updated once: Ballistic missiles fired at Ukraine');
    expect(mail.text).toContain('2. Updated twice (date, title): Pact signed');
    expect(mail.text).toContain('3. Deleted: Draft withdrawn');
  });

  it('gives a deleted event no link', () => {
    const mail = renderDigestEmail(
      TO,
      aDigest({ items: [listed({ status: 'deleted', eventUrl: undefined, changes: [] })] }),
    );
    expect(mail.text).not.toContain('View the event');
    expect(mail.html).not.toContain('View the event');
  });

  it('counts the events it could not list and links to the timeline', () => {
    const mail = renderDigestEmail(TO, aDigest({ omitted: 3 }));
    expect(mail.subject).toContain('4 events');
    expect(mail.text).toContain('…and 3 more events that did not fit in this mail');
    expect(mail.html).toContain('href="https://dateline.example/v1/events"');
  });

  it('carries one-click unsubscribe headers and the link in both parts', () => {
    const mail = renderDigestEmail(TO, aDigest());
    expect(mail.headers).toMatchObject({
      'List-Unsubscribe': `<${UNSUBSCRIBE}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    });
    expect(mail.text).toContain(UNSUBSCRIBE);
    expect(mail.html).toContain('href="https://dateline.example/v1/unsubscribe?token=tok_abc"');
  });

  it('escapes event text in the HTML part', () => {
    const mail = renderDigestEmail(
      TO,
      aDigest({ items: [listed({ event: anEvent({ title: '<b>x</b>' }) })] }),
    );
    expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>x</b>');
  });
});

describe('renderReplayEmail', () => {
  const replay = () =>
    renderReplayEmail(TO, {
      event: anEvent({ date: '2022-02-24', earliest: '2022-02-24', latest: '2022-02-24', title: 'Invasion' }),
      eventUrl: 'https://dateline.example/v1/events/01J1Z0Y9X8W7V6T5S4R3Q2P1N0',
      replayId: '01J1AB2CD3EF4GH5JK6MN7PQ8R',
      unsubscribeUrl: UNSUBSCRIBE,
    });

  it('tells a past event from a new one in its subject', () => {
    expect(replay().subject).toBe('[Dateline] From the timeline: Invasion (24 February 2022)');
  });

  it('names the replay and shows the event with its sources and link', () => {
    const mail = replay();
    expect(mail.text).toContain('replay 01J1AB2CD3EF4GH5JK6MN7PQ8R');
    expect(mail.text).toContain('ICARO Media Group, published 28 June 2024');
    expect(mail.html).toContain('href="https://dateline.example/v1/events/01J1Z0Y9X8W7V6T5S4R3Q2P1N0"');
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });
});
