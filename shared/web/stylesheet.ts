/**
 * The pages' one stylesheet, kept in code so the Lambda bundle carries it (no file system there).
 * Served under a name that carries its hash, with a year's immutable cache (see assets.ts).
 * Colours keep a contrast of at least 4.5:1 on their backgrounds (WCAG AA; axe checks it).
 */
export const STYLESHEET = `
:root{--ink:#1d1d1f;--muted:#555;--line:#d6d6d9;--paper:#fff;--wash:#f5f5f7;--accent:#0b57d0;--bar:#2f5d8a;--soft:#8fb0d2;--warn:#8a4b00;--bad:#a3271a;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--paper)}
*{box-sizing:border-box}
body{margin:0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--paper);padding:.5rem 1rem}
.skip:focus{left:1rem;z-index:1}
header.site,footer.site,main{max-width:64rem;margin:0 auto;padding:0 1rem}
header.site{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;padding-top:1rem;padding-bottom:.75rem;border-bottom:1px solid var(--line)}
.brand{font-weight:700;font-size:1.35rem;color:var(--ink);text-decoration:none;letter-spacing:.01em}
.tagline{color:var(--muted);flex:1 1 18rem}
header.site nav a{margin-left:.75rem}
footer.site{margin-top:3rem;padding-top:1rem;padding-bottom:2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
h1{font-size:1.6rem;line-height:1.25;margin:1.5rem 0 .5rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
.lede{color:var(--muted);margin-top:0}
.muted{color:var(--muted)}
form.filters{background:var(--wash);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem 1rem;margin:1rem 0}
form.filters .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:1rem 1.5rem;margin-top:.5rem}
.group{display:flex;flex-direction:column;gap:.5rem}
.group .field input,.group .field select{width:100%}
.hint{font-size:.8rem;color:var(--muted);margin:0}
form.filters fieldset{border:0;margin:0 0 .5rem;padding:0}
form.filters legend{font-weight:600;padding:0;margin-bottom:.25rem}
.kinds{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.kinds label{white-space:nowrap}
.field{display:flex;flex-direction:column;gap:.15rem}
.field label{font-weight:600;font-size:.9rem}
input[type=text],input[type=email],input[type=search],select{font:inherit;padding:.35rem .5rem;border:1px solid #8a8a8e;border-radius:4px;background:var(--paper);color:var(--ink);min-width:9rem}
button{font:inherit;padding:.4rem 1rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:var(--paper);color:var(--accent)}
.actions{display:flex;gap:1rem;align-items:center;margin-top:.75rem}
.errors{border:2px solid var(--bad);border-radius:6px;padding:.5rem 1rem;margin:1rem 0;background:#fdf0ee}
.errors h2{margin:.25rem 0;font-size:1.05rem;color:var(--bad)}
.notice{border-left:4px solid var(--accent);background:var(--wash);padding:.5rem 1rem;margin:1rem 0}
.overview{margin:1.5rem 0 .5rem}
.overview svg{width:100%;height:auto;display:block}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.85rem;color:var(--muted);margin:.25rem 0 1rem;padding:0;list-style:none}
.legend svg{width:2.2rem;height:.8rem;vertical-align:middle;margin-right:.3rem}
svg .axis{stroke:#8a8a8e;stroke-width:1}
svg .tick{stroke:#8a8a8e;stroke-width:1}
svg .label{fill:var(--muted);font-size:11px}
svg .density{fill:#c9d8ea}
svg .rug{fill:var(--bar)}
svg .span{fill:var(--bar)}
svg .span.approximate{fill:var(--soft);stroke:var(--bar);stroke-width:1.5;stroke-dasharray:4 2}
svg .span.uncertain{stroke:var(--warn);stroke-width:1.5;stroke-dasharray:1.5 1.5}
svg .span.approximate.uncertain{stroke-dasharray:4 1.5 1.5 1.5}
svg .open{fill:var(--bar)}
svg .doubt{fill:var(--warn);font-size:15px;font-weight:700}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline>li{border-top:1px solid var(--line);padding:1rem 0}
.event-head{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.when{font-weight:600}
.kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 .35rem}
ol.timeline h2,.event h1{margin:.2rem 0 .35rem}
ol.timeline h2{font-size:1.15rem}
ol.timeline h2 a{color:var(--ink);text-decoration-thickness:1px}
.span-line{margin:.35rem 0 .5rem}
.span-line svg{width:100%;height:auto;display:block}
.summary{margin:.25rem 0 .5rem}
article.event{margin-top:1.5rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0;font-size:.95rem}
dl.facts dt{font-weight:600;color:var(--muted)}
dl.facts dd{margin:0}
ul.inline{list-style:none;margin:0;padding:0;display:inline}
ul.inline li{display:inline}
ul.inline li+li::before{content:"; "}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;color:var(--muted)}
ul.sources{margin:.25rem 0 0;padding-left:1.2rem}
.pager{display:flex;gap:1.5rem;margin:1.5rem 0;align-items:center}
.subscribe{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem 1rem;margin:2rem 0}
.subscribe h2{margin-top:.25rem}
.subscribe .row{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end}
.types{border:0;padding:0;margin:.5rem 0 0}
.types legend{font-weight:600;font-size:.9rem;padding:0}
.types label{margin-right:1rem;white-space:nowrap}
.empty{padding:1rem 0;color:var(--muted)}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.35rem}}
`;

/** The site's icon: a dot on a time axis. */
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57d0"/><path d="M5 20h22" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/><rect x="9" y="11" width="11" height="6" rx="2" fill="#fff"/></svg>';
