import { escapeHtml } from '../delivery/email/html.ts';

/** A small self-contained HTML page for the links people follow from their mail. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Dateline</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}
button{font:inherit;padding:.5rem 1rem;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** The unsubscribe page: a button that POSTs back, so link scanners that merely GET it unsubscribe no one. */
export function unsubscribeForm(token: string): string {
  return page(
    'Unsubscribe from Dateline alerts',
    `${paragraph('Press the button to stop these alerts.')}
<form method="post" action="?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}
