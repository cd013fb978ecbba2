/**
 * A self-contained API reference page: it fetches the OpenAPI document and lists every operation,
 * with no third-party script (the docs must work offline and under a strict CSP).
 */
export function docsPage(specUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dateline API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{margin-bottom:0}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f7;padding:.75rem;overflow:auto}
.op{border-top:1px solid #ddd;padding:.75rem 0}.m{display:inline-block;width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#06c}.patch{color:#b60}.delete{color:#c22}small{color:#666}
</style></head><body>
<h1>Dateline API</h1><p><small>Generated from <a href="${specUrl}">${specUrl}</a> (OpenAPI 3.1).</small></p>
<div id="ops">Loading…</div>
<script>
fetch(${JSON.stringify(specUrl)}).then(r => r.json()).then(spec => {
  const esc = s => String(s ?? '').replace(/[&<>"]/g, ch => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
  const out = [];
  for (const [path, item] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(item)) {
    const params = (op.parameters || []).map(p => '<code>' + esc(p.name) + '</code> <small>(' + esc(p.in) + ')</small> ' + esc(p.description || '')).join('<br>');
    const codes = Object.entries(op.responses || {}).map(([code, r]) => '<code>' + code + '</code> ' + esc(r.description)).join(' · ');
    out.push('<div class="op"><span class="m ' + method + '">' + method + '</span><code>' + esc(path) + '</code> — ' + esc(op.summary) +
      (op.description ? '<p>' + esc(op.description) + '</p>' : '') + (params ? '<p>' + params + '</p>' : '') + '<p><small>' + codes + '</small></p></div>');
  }
  document.getElementById('ops').innerHTML = out.join('');
});
</script></body></html>`;
}
