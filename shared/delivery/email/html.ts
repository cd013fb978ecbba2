/** The HTML building blocks every Dateline mail shares: escaping, links, the page frame. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;

/** Escapes text for HTML element content and quoted attribute values alike (most text needs nothing). */
export function escapeHtml(value: string): string {
  return SPECIAL.test(value) ? value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) : value;
}

// Auto-Submitted stops vacation responders from replying to (and looping with) automated mail (RFC 3834).
export const BASE_HEADERS = { 'Auto-Submitted': 'auto-generated' };

export const STYLE = {
  body: 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.5;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px',
  muted: 'color:#555;font-size:13px',
  th: 'text-align:left;vertical-align:top;padding:2px 16px 2px 0;font-weight:600',
  notice: 'padding:8px 12px;background:#fdecea;border-left:4px solid #c0392b',
};

/** Header values must be one line; user text (titles) could otherwise smuggle line breaks in. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/**
 * Only http(s) URLs become clickable: source URLs are user-submitted, and a javascript: or
 * data: link must not be one click away in someone's inbox.
 */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function htmlLink(url: string, label: string): string {
  if (!isWebUrl(url)) return `${escapeHtml(label)} (${escapeHtml(url)})`;
  return `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
}

export function htmlParagraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

export function htmlDocument(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body style="${STYLE.body}">`,
    body,
    '</body></html>',
  ].join('\n');
}
