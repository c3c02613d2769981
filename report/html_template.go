package report

// pageHTML is the page: a header with the suite's status, an overview table,
// then one section per operation. It holds no script and loads nothing: the
// Content-Security-Policy forbids every fetch, so a report that tried would
// show it as a console error.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="slaspec">
<title>SLA report: {{.Title}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<header>
<h1><span class="badge st-{{.Status}}">{{.Icon}} {{.Status}}</span> SLA report: {{.Title}}</h1>
<p class="counts">{{.Counts}}{{if .Partial}} · <strong class="warn">partial: the run was interrupted, the figures cover what ran</strong>{{end}}</p>
{{with .Env}}<p class="env">{{.}}</p>{{end}}
</header>
<main>
{{if .Ops}}<table class="overview">
<thead><tr><th>operation</th><th>status</th><th>p99 latency</th><th>error rate</th><th>achieved / planned req/s</th><th>requests</th></tr></thead>
<tbody>
{{range .Ops}}<tr><td><a href="#{{.ID}}">{{.Title}}</a></td><td class="st-{{.Class}}">{{.Icon}} {{.Status}}</td><td>{{or .Summary.P99 "-"}}</td><td>{{or .Summary.ErrorRate "-"}}</td><td>{{or .Summary.Rate "-"}}</td><td>{{or .Summary.Requests "-"}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No operations were recorded.</p>{{end}}
{{range .Ops}}{{template "op" .}}{{end}}
</main>
</body>
</html>
{{define "op"}}<section class="op" id="{{.ID}}" data-status="{{.Class}}">
<h2><span class="badge st-{{.Class}}">{{.Icon}} {{.Status}}</span> {{.Title}}</h2>
{{with .Info}}<p class="info">{{.}}</p>{{end}}
{{if .Verdicts}}<table class="verdicts">
<thead><tr><th>budget</th><th>observed</th><th>95% CI</th><th>samples</th><th>status</th><th>detail</th></tr></thead>
<tbody>
{{range .Verdicts}}<tr class="st-{{.Status}}"><td class="mono">{{.Budget}}{{if .Implicit}} <em>(implicit)</em>{{end}}</td><td class="mono">{{.Observed}}</td><td class="mono">{{or .CI "-"}}</td><td>{{or .Samples "-"}}</td><td>{{.Icon}} {{.Status}}</td><td>{{.Detail}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{with .Capacity}}{{template "capacity" .}}{{end}}{{if .HasResult}}{{with .Target}}<p class="info">target <code>{{.}}</code></p>
{{end}}<p class="load">{{.Load}}</p>
{{range .Notes}}<p class="warn">⚠ {{.}}</p>
{{end}}{{with .Percentiles}}<table class="percentiles">
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}
<div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}
</div>
{{if .Errors}}<h3>Errors by class</h3>
<table class="errors">
<thead><tr><th>class</th><th>count</th><th>share of requests</th><th>examples</th></tr></thead>
<tbody>
{{range .Errors}}<tr><td><span class="swatch {{.Colour}}"></span>{{.Class}}</td><td>{{.Count}}</td><td>{{.Share}}</td><td>{{if .Examples}}<ul>{{range .Examples}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}-{{end}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{with .GC}}<h3>Service GC in the measured window</h3>
<div class="gc">
<dl>{{range .Figures}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>
{{with .Chart}}{{template "chart" .}}{{end}}
</div>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}{{range .Warnings}}<p class="warn">⚠ {{.}}</p>
{{end}}{{end}}{{with .Profiles}}
<h3>Service runtime and profiles in the measured window</h3>
{{template "profiles" .}}{{end}}
{{else}}<p class="warn">No result was recorded for this operation.</p>
{{end}}{{if .Sources}}<h3>Request values</h3>
<table class="findings">
<thead><tr><th>parameter</th><th>values from</th><th>first values</th></tr></thead>
<tbody>
{{range .Sources}}<tr><td class="mono">{{.Parameter}}</td><td>{{.From}}</td><td class="mono">{{.Values}}</td></tr>
{{end}}</tbody>
</table>{{end}}{{if .Coverage}}<h3>Response coverage</h3>
<table class="findings">
<thead><tr><th>status</th><th>content type</th><th>seen</th><th>documented</th></tr></thead>
<tbody>
{{range .Coverage}}<tr><td class="mono">{{.Status}}</td><td class="mono">{{.ContentType}}</td><td>{{.Seen}}</td><td>{{.Documented}}</td></tr>
{{end}}</tbody>
</table>{{end}}{{if .Findings}}<h3>Contract findings</h3>
<table class="findings">
<thead><tr><th>count</th><th>operation</th><th>status</th><th>where</th><th>reason</th></tr></thead>
<tbody>
{{range .Findings}}<tr><td>{{.Count}}</td><td>{{.Operation}}</td><td>{{if .Status}}{{.Status}}{{else}}-{{end}}</td><td class="mono">{{or .Pointer "-"}}</td><td>{{.Reason}}</td></tr>
{{end}}</tbody>
</table>{{end}}
</section>
{{end}}`

// chartHTML draws one svgChart.
const chartHTML = `{{define "chart"}}<figure class="chart" id="{{.ID}}">
<figcaption>{{.Title}}</figcaption>
<svg viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}">
<rect class="{{.Plot.Class}}" x="{{.Plot.X}}" y="{{.Plot.Y}}" width="{{.Plot.W}}" height="{{.Plot.H}}"/>
{{range .Grid}}<line class="{{.Class}}" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"/>
{{end}}{{range .Bars}}<rect class="bar {{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Polylines}}<polyline class="series {{.Class}}" points="{{.Points}}"/>
{{end}}{{range .Dots}}<circle class="dot {{.Class}}" cx="{{.X}}" cy="{{.Y}}" r="2.4">{{with .Title}}<title>{{.}}</title>{{end}}</circle>
{{end}}{{range .Lines}}<line class="{{.Class}}" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}">{{with .Title}}<title>{{.}}</title>{{end}}</line>
{{end}}{{range .Texts}}<text class="{{.Class}}" x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}"{{with .Transform}} transform="{{.}}"{{end}}>{{.Text}}</text>
{{end}}{{range .Legend}}<line class="swatch {{.Class}}{{if .Dash}} dash{{end}}" x1="{{.X}}" y1="{{.Y}}" x2="{{.X2}}" y2="{{.Y}}"/><text class="legend" x="{{.TX}}" y="{{.TY}}">{{.Label}}</text>
{{end}}</svg>
</figure>
{{end}}`

// pageCSS styles the page on screen and on paper.
const pageCSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;padding:16px 24px;max-width:1240px;background:#fff}
h1{font-size:22px;margin:8px 0}
h2{font-size:18px;margin:0 0 6px}
h3{font-size:15px;margin:16px 0 6px}
.counts,.env,.info,.load,.note{margin:4px 0}
.env,.info,.note{color:var(--muted)}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
code{white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td ul{margin:0;padding-left:18px}
.percentiles td:not(:first-child),.percentiles th:not(:first-child){text-align:right}
section.op{border-top:3px solid var(--line);margin-top:24px;padding-top:12px}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;font-size:.8em;vertical-align:middle;border:1px solid currentColor}
.st-pass{color:var(--pass)}
.st-fail{color:var(--fail)}
.st-inconclusive,.warn{color:var(--warn)}
tr.st-pass td,tr.st-fail td,tr.st-inconclusive td{color:var(--fg)}
tr.st-fail td:nth-child(5){color:var(--fail);font-weight:600}
tr.st-pass td:nth-child(5){color:var(--pass)}
tr.st-inconclusive td:nth-child(5){color:var(--warn);font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;font-size:13px;margin:0 0 2px 4px}
svg{width:100%;height:auto;display:block}
svg .plot{fill:#fcfcfd;stroke:none}
svg .grid{stroke:#e6e9ed;stroke-width:1}
svg .axis{stroke:#57606a;stroke-width:1.2}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:#24292f}
svg .tick{font-size:11px;fill:#57606a}
svg .label{font-size:12px}
svg .legend{font-size:11.5px}
svg .empty{font-size:13px;fill:#57606a}
svg .rule-label{font-size:11px;font-weight:600}
svg .series{fill:none;stroke:var(--c);stroke-width:1.8;stroke-linejoin:round}
svg .dot{fill:var(--c);stroke:none}
svg .bar{fill:var(--c);stroke:none}
svg .swatch{stroke:var(--c);stroke-width:3}
svg .dash,svg .s-planned.series{stroke-dasharray:6 4}
svg .s-max.series,svg .s-max.swatch{stroke-dasharray:2 3}
svg .limit{--c:#cf222e;stroke:var(--c);stroke-width:1.5;stroke-dasharray:5 4}
svg .limit-pass{--c:#1a7f37}
svg .limit-fail{--c:#cf222e}
svg .limit-inconclusive{--c:#9a6700}
svg .limit-dot{stroke:none;fill:var(--c)}
svg text.limit{fill:var(--c);stroke:none}
.s-p50{--c:#0969da}.s-p99{--c:#e16f24}.s-max{--c:#8250df}
.s-planned{--c:#6e7781}.s-sent{--c:#0969da}.s-ok{--c:#1a7f37}
.s-latency{--c:#0969da}.s-service{--c:#1a7f37}.s-gc{--c:#1b7c83}
.c0{--c:#cf222e}.c1{--c:#e16f24}.c2{--c:#8250df}.c3{--c:#953800}.c4{--c:#bf3989}.c5{--c:#9a6700}.c6{--c:#1b7c83}.c7{--c:#6e7781}
span.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;background:var(--c);border-radius:2px}
.gc{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px;align-items:start}
.gc dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.gc dt{color:var(--muted)}
.gc dd{margin:0}
a{color:#0969da}
@media (max-width:800px){.charts,.gc{grid-template-columns:1fr}}
@media print{
 @page{size:A4;margin:12mm}
 body{max-width:none;padding:0;font-size:10.5pt}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .charts{grid-template-columns:1fr 1fr}
 section.op{break-before:page}
 section.op:first-of-type{break-before:auto}
 table,figure{break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
`
