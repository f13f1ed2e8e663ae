// The report's only stylesheet, inlined into report.html so the file can be
// mailed, attached to a CI run or opened offline. Colours are variables so
// dark mode and print swap them in one place; charts use currentColor and
// --chart-bg (label halos), so they follow along.

export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --stripe: #f6f8fa;
  --pass: #00785a; --pass-bg: #e6f4ef; --fail: #b33c00; --fail-bg: #fbece4; --partial: #8a5a00; --partial-bg: #fbf3dc;
  --chart-bg: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --stripe: #151b23;
    --pass: #3fb98f; --pass-bg: #0f2a22; --fail: #ff8a4c; --fail-bg: #34190d; --partial: #e3b341; --partial-bg: #2e2510;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; padding: 1.5rem; max-width: 66rem;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: var(--bg); color: var(--fg);
}
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p, ul, ol { margin: .5rem 0 .9rem; }
a { color: inherit; text-underline-offset: 2px; }
code, pre { font: .9em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--stripe); border: 1px solid var(--border); border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; }
.muted, figcaption, caption { color: var(--muted); }

table { border-collapse: collapse; margin: .75rem 0 1.25rem; font-variant-numeric: tabular-nums; max-width: 100%; }
caption { text-align: left; font-size: .9em; padding-bottom: .3rem; caption-side: top; }
th, td { padding: .35rem .75rem; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--border); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--stripe); }
th.num, td.num { text-align: right; }
th.center, td.center { text-align: center; }
table.facts th { font-weight: 600; white-space: nowrap; }

figure { margin: 1.25rem 0; }
figcaption { font-size: .9em; margin-top: .3rem; }
svg.chart { display: block; max-width: 100%; height: auto; }

.verdict { border: 1px solid; border-left-width: .45rem; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0 1.5rem; }
.verdict-line { margin: 0; font-size: 1.15rem; }
.verdict-word { letter-spacing: .04em; margin-right: .35rem; }
.verdict-detail { margin-top: .4rem; }
.verdict-detail > :last-child { margin-bottom: 0; }
.verdict.pass { border-color: var(--pass); background: var(--pass-bg); }
.verdict.fail { border-color: var(--fail); background: var(--fail-bg); }
.verdict.partial { border-color: var(--partial); background: var(--partial-bg); }
.verdict.pass .verdict-word, .badge.pass { color: var(--pass); }
.verdict.fail .verdict-word, .badge.fail { color: var(--fail); }
.verdict.partial .verdict-word, .badge.partial { color: var(--partial); }
.badge { font-weight: 700; font-size: .85em; letter-spacing: .04em; border: 1px solid currentColor; border-radius: 4px; padding: 0 .3rem; }

details { margin: .75rem 0; }
summary { cursor: pointer; font-weight: 600; }

@media print {
  :root {
    --bg: #ffffff; --fg: #000000; --muted: #444444; --border: #bbbbbb; --stripe: #f3f3f3;
    --pass: #00785a; --pass-bg: #ffffff; --fail: #b33c00; --fail-bg: #ffffff; --partial: #8a5a00; --partial-bg: #ffffff;
  }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  figure, table, .verdict, tr { break-inside: avoid; }
  /* Collapsed sections print expanded where the browser supports it. */
  details::details-content { content-visibility: visible; height: auto; }
}
`.trim();
