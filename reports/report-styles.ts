/** The report's stylesheet (inlined; system fonts only, so nothing is fetched). Screen at ≥ 1280 px and print. */
export const REPORT_CSS = `
:root { --ink:#1d232b; --muted:#5b6673; --line:#d9dee5; --bg:#f4f6f9; --card:#fff; --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1240px; margin:0 auto; padding:20px 24px 48px; }
h1 { font-size:26px; margin:0; word-break:break-word; }
h2 { font-size:17px; margin:0 0 6px; }
h3 { font-size:15px; margin:18px 0 6px; }
h3 small { color:var(--muted); font-weight:normal; }
code { font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:#eef1f5; padding:0 3px; border-radius:3px; }
pre { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; white-space:pre-wrap; word-break:break-word; margin:8px 0 0; }
.report-header { margin-bottom:14px; }
.eyebrow { margin:0 0 2px; color:var(--muted); font-size:12px; letter-spacing:.06em; text-transform:uppercase; }
.title-row { display:flex; align-items:center; gap:14px; flex-wrap:wrap; }
.description { margin:6px 0 0; color:var(--muted); max-width:900px; white-space:pre-line; }
.status { font-weight:700; border-radius:999px; padding:3px 12px; font-size:13px; border:2px solid currentColor; }
.status-complete { color:var(--ok); }
.status-interrupted { color:#fff; background:var(--warn); border-color:var(--warn); font-size:15px; text-transform:uppercase; }
.status-failed { color:#fff; background:var(--bad); border-color:var(--bad); font-size:15px; text-transform:uppercase; }
.facts { display:flex; flex-wrap:wrap; gap:4px 28px; margin:10px 0 0; }
.facts.tools { margin-top:4px; font-size:13px; }
.facts div { display:flex; gap:8px; }
.env div { display:grid; grid-template-columns:110px 1fr; gap:8px; }
dt { color:var(--muted); }
dd { margin:0; }
.banner { border-radius:8px; padding:12px 16px; margin:0 0 14px; font-size:15px; border:2px solid; }
.banner-interrupted { background:#fff8e5; border-color:var(--warn); color:#5c3d00; }
.banner-failed { background:#ffebe9; border-color:var(--bad); color:#82071e; }
.banner-note { background:#eef4ff; border-color:#8fb0e8; }
.banner-degraded { background:#fff1e0; border-color:#d4700b; color:#5c2b00; }
.banner-degraded ul { margin:6px 0 0; padding-left:20px; }
.banner pre { background:rgba(255,255,255,.6); padding:8px; border-radius:4px; color:var(--ink); }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; margin:0 0 16px; }
.hint { color:var(--muted); margin:0 0 10px; font-size:13px; }
.approx { color:var(--warn); }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:6px 8px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
thead th { font-size:12px; color:var(--muted); font-weight:600; vertical-align:bottom; line-height:1.25; }
thead th small { font-weight:normal; }
td.num, thead th:not(:first-child) { text-align:right; }
thead th.text { text-align:left; }
td.num { white-space:nowrap; }
td small { color:var(--muted); }
td.num.key { font-weight:700; }
tbody th { font-weight:600; white-space:nowrap; }
.path-id { margin-right:6px; }
.kind { display:block; margin-left:18px; color:var(--muted); font-weight:normal; font-size:12px; }
.swatch { display:inline-block; width:11px; height:11px; border-radius:3px; margin-right:7px; vertical-align:-1px; print-color-adjust:exact; -webkit-print-color-adjust:exact; }
td.rel { text-align:right; white-space:nowrap; color:var(--muted); }
td.rel.fastest { color:var(--ok); font-weight:700; }
tr.is-fastest { background:#f0faf3; }
.bad { color:var(--bad); font-weight:700; }
.warn { color:var(--warn); }
td.err { color:var(--bad); font-size:12px; max-width:340px; }
.problems { border-left:3px solid var(--bad); padding-left:12px; margin-top:10px; }
.problems h3 { margin-top:0; }
.env { display:grid; grid-template-columns:1fr 1fr; gap:4px 28px; margin:0; }
.env dd { word-break:break-word; }
details.scenario { margin-top:8px; }
details.scenario summary { cursor:pointer; color:#0b5cad; }
details.scenario pre { background:#f6f8fa; border:1px solid var(--line); border-radius:6px; padding:10px; max-height:480px; overflow:auto; }
.toolbar { position:sticky; top:0; z-index:2; display:flex; align-items:center; gap:18px; flex-wrap:wrap; background:rgba(244,246,249,.95); padding:8px 2px; margin:0 0 10px; border-bottom:1px solid var(--line); }
.toolbar label { display:flex; gap:6px; align-items:center; cursor:pointer; font-weight:600; }
.legend { display:flex; flex-wrap:wrap; gap:4px 16px; color:var(--muted); }
.chart { position:relative; height:340px; }
.chart.small { height:220px; }
.grid { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:14px 20px; }
.grid h3 { margin:4px 0; }
.viewer-block + .viewer-block { margin-top:22px; border-top:1px solid var(--line); padding-top:4px; }
.how p { max-width:980px; margin:6px 0; }
.render-error { color:var(--bad); font-weight:700; }
footer { color:var(--muted); font-size:12px; text-align:center; }
@media (max-width: 900px) { .grid, .env { grid-template-columns:1fr; } }
@page { size:A4; margin:12mm; }
@media print {
  body { background:#fff; font-size:10pt; }
  main { max-width:none; padding:0; }
  .toolbar { display:none; }
  .card { border:none; border-top:1px solid var(--line); border-radius:0; padding:10px 0; break-inside:avoid; page-break-inside:avoid; }
  #summary, #viewers { break-inside:auto; }
  tr { break-inside:avoid; }
  .chart { height:260px; }
  .chart.small { height:170px; }
  canvas { max-width:100% !important; height:auto !important; }
  .banner, .status, tr.is-fastest { print-color-adjust:exact; -webkit-print-color-adjust:exact; }
  details.scenario pre { max-height:none; overflow:visible; }
  .table-wrap { overflow:visible; }
  table { font-size:7.5pt; }
  thead th { font-size:7pt; }
  th, td { padding:3px 4px; }
  .kind { margin-left:0; }
  .swatch { width:8px; height:8px; margin-right:4px; }
}
`;
