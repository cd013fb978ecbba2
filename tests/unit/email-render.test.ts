import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/delivery/email/html.ts';
import { renderAlertEmail } from '../../shared/delivery/email/render.ts';
import {
  renderConfirmationEmail,
  renderDisabledNoticeEmail,
} from '../../shared/delivery/email/render-notices.ts';
import type { AlertEmailInput, AlertEvent } from '../../shared/delivery/email/types.ts';

const TO = 'reader@example.net';

function anEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'evt_01J1Z9Q8R7',
    kind: 'council-meeting',
    title: 'Alliance summit opens in Vilnius',
    summary: 'Heads of government meet to discuss enlargement.\n\nA joint communiqué is expected.',
    date: '2024-06-28',
    earliest: '2024-06-28',
    latest: '2024-06-28',
    precision: 'day',
    location: { name: 'Vilnius', country: 'LT' },
    actors: [
      { type: 'state', code: 'LT', role: 'host' },
      { type: 'organisation', name: 'North Atlantic Treaty Organization' },
      { type: 'person', name: 'Jane Roe', role: 'Secretary General' },
    ],
    tags: ['security', 'enlargement'],
    sources: [
      {
        url: 'https://news.example.org/2024/06/summit',
        title: 'Summit opens',
        publisher: 'Example News',
        publishedAt: '2024-06-28T09:15:00Z',
      },
      {
        url: 'https://wire.example.com/a/123?ref=rss',
        title: 'Leaders arrive',
        publisher: 'Example Wire',
        publishedAt: '2024-06-27',
      },
    ],
    ...overrides,
  };
}

function anAlert(overrides: Partial<AlertEmailInput> = {}): AlertEmailInput {
  return {
    type: 'event.created',
    event: anEvent(),
    eventUrl: 'https://dateline.example/events/evt_01J1Z9Q8R7',
    apiUrl: 'https://dateline.example/v1/events/evt_01J1Z9Q8R7',
    unsubscribeUrl: 'https://dateline.example/unsubscribe/tok_abc123',
    ...overrides,
  };
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in element content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('renderAlertEmail', () => {
  describe('subject', () => {
    it('names a new event with its title and date', () => {
      expect(renderAlertEmail(TO, anAlert()).subject).toBe(
        '[Dateline] New: Alliance summit opens in Vilnius (28 June 2024)',
      );
    });

    it('says "Updated" for an update and "Deleted" for a deletion', () => {
      expect(renderAlertEmail(TO, anAlert({ type: 'event.updated' })).subject).toMatch(
        /^\[Dateline\] Updated: /,
      );
      expect(renderAlertEmail(TO, anAlert({ type: 'event.deleted' })).subject).toMatch(
        /^\[Dateline\] Deleted: /,
      );
    });

    it('carries the caveat of an approximate date', () => {
      const event = anEvent({ date: '2024-06-15~', earliest: '2024-06-08', latest: '2024-06-22' });
      expect(renderAlertEmail(TO, anAlert({ event })).subject).toBe(
        '[Dateline] New: Alliance summit opens in Vilnius (mid-June 2024, approximate)',
      );
    });

    it('keeps a title with line breaks on one line', () => {
      const event = anEvent({ title: 'Line one\r\nBcc: victim@example.com' });
      expect(renderAlertEmail(TO, anAlert({ event })).subject).not.toMatch(/[\r\n]/);
    });
  });

  it('addresses the mail to the given recipient', () => {
    expect(renderAlertEmail(TO, anAlert()).to).toBe(TO);
  });

  it('shows the date as written, its human reading and its precision in both parts', () => {
    const event = anEvent({ date: '2024-06-10/2024-06-20', precision: 'interval' });
    const mail = renderAlertEmail(TO, anAlert({ event }));
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('between 10 and 20 June 2024');
      expect(part).toContain('from a day to a day, written 2024-06-10/2024-06-20');
    }
  });

  describe('the date, its precision said once', () => {
    const approximateDay = anEvent({ date: '2024-06-15~', earliest: '2024-06-08', latest: '2024-06-22' });

    it('reads an approximate day as part of the month, then says it is an approximate day', () => {
      const { text } = renderAlertEmail(TO, anAlert({ event: approximateDay }));
      expect(text).toContain('When: mid-June 2024\n      an approximate day, written 2024-06-15~\n');
    });

    it('says "approximate" once in the body and never beside a bare "precision: day"', () => {
      const mail = renderAlertEmail(TO, anAlert({ event: approximateDay }));
      for (const part of [mail.text, mail.html.replace(/<title>.*<\/title>/s, '')]) {
        expect(part.match(/approximate/g)).toHaveLength(1);
        expect(part).not.toContain('precision:');
      }
    });

    it('says an ongoing interval is ongoing and what its start is known to', () => {
      const event = anEvent({
        date: '2024-06/..',
        earliest: '2024-06-01',
        latest: '9999-12-31',
        precision: 'interval',
      });
      const { text } = renderAlertEmail(TO, anAlert({ event }));
      expect(text).toContain(
        'When: since June 2024, ongoing\n      from a month, open-ended, written 2024-06/..',
      );
    });

    it('gives each end of an interval its own qualifier', () => {
      const event = anEvent({
        date: '2024?/2025~',
        earliest: '2024-01-01',
        latest: '2025-12-31',
        precision: 'interval',
      });
      const { text } = renderAlertEmail(TO, anAlert({ event }));
      expect(text).toContain(
        'When: between 2024 and 2025\n      from an uncertain year to an approximate year',
      );
    });

    it('reads unspecified digits as one unit of what is known', () => {
      const event = anEvent({
        date: '201X',
        earliest: '2010-01-01',
        latest: '2019-12-31',
        precision: 'decade',
      });
      const { text } = renderAlertEmail(TO, anAlert({ event }));
      expect(text).toContain('When: a year in the 2010s\n      a decade, written 201X');
    });
  });

  it('shows summary, place, actors and tags in both parts, countries by name with their codes', () => {
    const mail = renderAlertEmail(TO, anAlert());
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Heads of government meet to discuss enlargement.');
      expect(part).toContain('Vilnius, Lithuania (LT)');
      expect(part).toContain('Lithuania (LT), host');
      expect(part).toContain('North Atlantic Treaty Organization (organisation)');
      expect(part).toContain('Jane Roe (person), Secretary General');
      expect(part).toContain('security, enlargement');
    }
  });

  it('names the kind in words', () => {
    const { text } = renderAlertEmail(TO, anAlert());
    expect(text).toContain('Kind: Council meeting');
  });

  it('names North Korea with its code (KP)', () => {
    const event = anEvent({ actors: [{ type: 'state', code: 'KP' }] });
    expect(renderAlertEmail(TO, anAlert({ event })).text).toContain('Actors: North Korea (KP)');
  });

  it('shows a code ICU does not name as it is', () => {
    const event = anEvent({ actors: [{ type: 'state', code: 'LTU' }] });
    expect(renderAlertEmail(TO, anAlert({ event })).text).toContain('Actors: LTU');
  });

  it('links every source in HTML with its title, publisher and published date', () => {
    const { html } = renderAlertEmail(TO, anAlert());
    expect(html).toContain(
      '<a href="https://news.example.org/2024/06/summit">Summit opens</a> — Example News, published 28 June 2024',
    );
    expect(html).toContain(
      '<a href="https://wire.example.com/a/123?ref=rss">Leaders arrive</a> — Example Wire, published 27 June 2024',
    );
  });

  it('lists every source in text with its URL', () => {
    const { text } = renderAlertEmail(TO, anAlert());
    expect(text).toContain('1. Summit opens — Example News, published 28 June 2024');
    expect(text).toContain('https://news.example.org/2024/06/summit');
    expect(text).toContain('2. Leaders arrive — Example Wire, published 27 June 2024');
    expect(text).toContain('https://wire.example.com/a/123?ref=rss');
  });

  it('does not make a non-web source URL clickable', () => {
    const event = anEvent({
      sources: [{ url: 'javascript:alert(1)', title: 'Bad', publisher: 'X', publishedAt: '2024-06-28' }],
    });
    const { html } = renderAlertEmail(TO, anAlert({ event }));
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('Bad (javascript:alert(1))');
  });

  it('links to the event’s page in both parts', () => {
    const mail = renderAlertEmail(TO, anAlert());
    expect(mail.text).toContain('View the event: https://dateline.example/events/evt_01J1Z9Q8R7');
    expect(mail.html).toContain('<a href="https://dateline.example/events/evt_01J1Z9Q8R7">');
  });

  it('links to the event as JSON beside its page', () => {
    const mail = renderAlertEmail(TO, anAlert());
    expect(mail.text).toContain('As JSON: https://dateline.example/v1/events/evt_01J1Z9Q8R7');
    expect(mail.html).toContain('<a href="https://dateline.example/v1/events/evt_01J1Z9Q8R7">as JSON</a>');
  });

  it('sets one-click List-Unsubscribe headers (RFC 8058)', () => {
    expect(renderAlertEmail(TO, anAlert()).headers).toMatchObject({
      'List-Unsubscribe': '<https://dateline.example/unsubscribe/tok_abc123>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it.each(['event.created', 'event.updated', 'event.deleted'] as const)(
    'puts the unsubscribe link in the body of a %s alert',
    (type) => {
      const mail = renderAlertEmail(TO, anAlert({ type }));
      expect(mail.text).toContain('Unsubscribe (one click): https://dateline.example/unsubscribe/tok_abc123');
      expect(mail.html).toContain(
        '<a href="https://dateline.example/unsubscribe/tok_abc123">Unsubscribe</a>',
      );
    },
  );

  it('includes the manage note when given', () => {
    const mail = renderAlertEmail(TO, anAlert({ manageNote: 'You follow the tag "security".' }));
    expect(mail.text).toContain('You follow the tag "security".');
    expect(mail.html).toContain('You follow the tag &quot;security&quot;.');
  });

  it('has no "What changed" section for a new event', () => {
    const mail = renderAlertEmail(TO, anAlert());
    expect(mail.text).not.toContain('What changed');
    expect(mail.html).not.toContain('What changed');
  });

  describe('updates', () => {
    const refined = anAlert({
      type: 'event.updated',
      event: anEvent({ date: '2024-06-15~', earliest: '2024-06-08', latest: '2024-06-22' }),
      previous: {
        date: '2024-06',
        earliest: '2024-06-01',
        latest: '2024-06-30',
        precision: 'month',
        title: 'Alliance summit in Vilnius',
      },
    });

    it('makes a date refinement visible as previous → new reading and date as written', () => {
      const { text } = renderAlertEmail(TO, refined);
      expect(text).toContain('Date: June 2024 [2024-06] → mid-June 2024 (approximate) [2024-06-15~]');
    });

    it('lists other changed fields as previous → new', () => {
      const mail = renderAlertEmail(TO, refined);
      expect(mail.text).toContain('Title: Alliance summit in Vilnius → Alliance summit opens in Vilnius');
      expect(mail.html).toContain(
        '<strong>Title</strong>: <del>Alliance summit in Vilnius</del> → <ins>Alliance summit opens in Vilnius</ins>',
      );
    });

    it('does not list the derived bounds and precision separately when the date changed', () => {
      const { text } = renderAlertEmail(TO, refined);
      expect(text).not.toContain('Earliest:');
      expect(text).not.toContain('Latest:');
      expect(text).not.toContain('Precision:');
    });

    it('names a changed kind in words', () => {
      const { text } = renderAlertEmail(
        TO,
        anAlert({ type: 'event.updated', previous: { kind: 'statement' } }),
      );
      expect(text).toContain('Kind: Statement → Council meeting');
    });

    it('names the countries of changed actors', () => {
      const previous = { actors: [{ type: 'state', code: 'KP', role: 'supplier' }] };
      expect(renderAlertEmail(TO, anAlert({ type: 'event.updated', previous })).text).toContain(
        'Actors: North Korea (KP), supplier → Lithuania (LT), host;',
      );
    });

    it('renders list-valued changes readably', () => {
      const mail = renderAlertEmail(TO, anAlert({ type: 'event.updated', previous: { tags: ['security'] } }));
      expect(mail.text).toContain('Tags: security → security, enlargement');
    });

    it('says so when no details of the change are known', () => {
      const { text } = renderAlertEmail(TO, anAlert({ type: 'event.updated' }));
      expect(text).toContain('What changed');
      expect(text).toContain('no details of the change are available');
    });
  });

  describe('deletions', () => {
    it('says clearly that the event was deleted, in both parts', () => {
      const mail = renderAlertEmail(TO, anAlert({ type: 'event.deleted' }));
      expect(mail.text).toContain('This event has been deleted from the Dateline timeline.');
      expect(mail.html).toContain('This event has been deleted from the Dateline timeline.');
    });

    it('does not link to the page or the JSON of a deleted event', () => {
      const mail = renderAlertEmail(TO, anAlert({ type: 'event.deleted' }));
      for (const part of [mail.text, mail.html]) {
        expect(part).not.toContain('https://dateline.example/events/');
        expect(part).not.toContain('https://dateline.example/v1/events/');
      }
    });
  });

  describe('HTML escaping', () => {
    it('escapes a title containing a script tag', () => {
      const event = anEvent({ title: '<script>alert("x")</script> Talks' });
      const { html } = renderAlertEmail(TO, anAlert({ event }));
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Talks');
    });

    it('keeps the raw title in the text part', () => {
      const event = anEvent({ title: '<script>alert("x")</script> Talks' });
      expect(renderAlertEmail(TO, anAlert({ event })).text).toContain('<script>alert("x")</script> Talks');
    });

    it('cannot break out of a link attribute through a source URL', () => {
      const url = 'https://evil.example/"><img src=x onerror=alert(1)>';
      const event = anEvent({ sources: [{ url, title: 't', publisher: 'p', publishedAt: '2024-06-28' }] });
      const { html } = renderAlertEmail(TO, anAlert({ event }));
      expect(html).not.toContain('<img');
    });

    it('escapes every user-supplied field', () => {
      const x = '<b>x</b>';
      const event = anEvent({
        kind: x,
        summary: x,
        location: { name: x, country: x },
        actors: [{ type: 'person', name: x, role: x }],
        tags: [x],
        sources: [{ url: 'https://s.example/', title: x, publisher: x, publishedAt: x }],
      });
      const { html } = renderAlertEmail(TO, anAlert({ event, manageNote: x }));
      expect(html).not.toContain('<b>');
    });
  });
});

describe('renderConfirmationEmail', () => {
  const input = {
    confirmUrl: 'https://dateline.example/confirm/tok_xyz',
    filterSummary: 'Events tagged "sanctions" involving RUS',
  };

  it('links to the confirmation URL in both parts', () => {
    const mail = renderConfirmationEmail(TO, input);
    expect(mail.text).toContain('https://dateline.example/confirm/tok_xyz');
    expect(mail.html).toContain('<a href="https://dateline.example/confirm/tok_xyz">');
  });

  it('says what the subscription is for, escaped in HTML', () => {
    const mail = renderConfirmationEmail(TO, input);
    expect(mail.text).toContain('Events tagged "sanctions" involving RUS');
    expect(mail.html).toContain('Events tagged &quot;sanctions&quot; involving RUS');
  });

  it('carries no List-Unsubscribe header, as nothing is subscribed yet', () => {
    expect(renderConfirmationEmail(TO, input).headers).not.toHaveProperty('List-Unsubscribe');
  });
});

describe('renderDisabledNoticeEmail', () => {
  const input = {
    subscriptionId: 'sub_42',
    target: 'https://hooks.example.com/services/T000/B000/secret-token',
    filterSummary: 'All events in EU',
    failingSince: '2024-06-01T08:00:00Z',
    disabledAt: '2024-06-04T09:30:00Z',
    lastError: 'HTTP 503',
    manageUrl: 'https://dateline.example/subscriptions/sub_42',
  };

  it('says which subscription was disabled and why', () => {
    const { subject, text } = renderDisabledNoticeEmail(TO, input);
    expect(subject).toBe('[Dateline] Subscription disabled after repeated delivery failures');
    expect(text).toContain('sub_42 (All events in EU)');
    expect(text).toContain('failing since 1 June 2024 08:00 UTC (3 days)');
    expect(text).toContain('Last error: HTTP 503.');
  });

  it('identifies a webhook target by its origin only, keeping secrets in its path out of mail', () => {
    const mail = renderDisabledNoticeEmail(TO, input);
    expect(mail.text).toContain('https://hooks.example.com');
    expect(mail.text).not.toContain('secret-token');
    expect(mail.html).not.toContain('secret-token');
  });

  it('links to where the subscription can be managed', () => {
    expect(renderDisabledNoticeEmail(TO, input).html).toContain(
      '<a href="https://dateline.example/subscriptions/sub_42">',
    );
  });
});
