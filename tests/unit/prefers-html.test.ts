import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../shared/web/register-pages.ts';

const CHROMIUM =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

describe('prefersHtml', () => {
  it('answers a browser with HTML, on the API paths too', () => {
    expect(prefersHtml(CHROMIUM, '/v1/events')).toBe(true);
    expect(prefersHtml(CHROMIUM, '/nothing-here')).toBe(true);
  });

  it('answers API clients with problem+json', () => {
    expect(prefersHtml('application/json', '/v1/events')).toBe(false);
    expect(prefersHtml('application/problem+json', '/')).toBe(false);
    expect(prefersHtml('*/*', '/v1/events')).toBe(false);
    expect(prefersHtml(undefined, '/v1/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6')).toBe(false);
  });

  it('answers a page path with HTML unless JSON is asked for above it', () => {
    expect(prefersHtml(undefined, '/')).toBe(true);
    expect(prefersHtml('*/*', '/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6')).toBe(true);
    expect(prefersHtml('text/html;q=0.5, application/json', '/')).toBe(false);
  });

  it('weighs each type by its most specific range', () => {
    expect(prefersHtml('text/*;q=0.9, application/json;q=0.5', '/v1/events')).toBe(true);
    expect(prefersHtml('text/html;q=0, */*', '/')).toBe(false);
  });
});
