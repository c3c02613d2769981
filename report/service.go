package report

import (
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// profilesHTML draws a run's service section: its runtime readings and
// each profile's top frames with its file.
const profilesHTML = `{{define "profiles"}}{{with .Runtime}}<p class="info">runtime: {{.}}</p>
{{end}}{{with .Profiling}}<p class="info">profiles: {{.}}</p>
{{end}}{{if .Rows}}<table class="profiles">
<thead><tr><th>profile</th><th>top functions (service code, cumulative)</th><th>file</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Kind}}</td><td class="mono">{{.Top}}</td><td class="mono">{{or .File "-"}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{range .Warnings}}<p class="warn">⚠ {{.}}</p>
{{end}}{{end}}`

// htmlProfiles is an operation's profiles section.
type htmlProfiles struct {
	Profiling string
	Runtime   string
	Rows      []sla.ProfileRow
	Warnings  []string
}

// buildProfiles is the service section of an operation: its runtime
// readings and each profile's top frames with its file; nil when the run
// neither sampled nor profiled the service.
func buildProfiles(r *loadrunner.Result) *htmlProfiles {
	if r.Profiles == nil && r.Runtime == nil {
		return nil
	}
	p := &htmlProfiles{}
	if r.Runtime != nil {
		p.Runtime = txt(sla.RuntimeLine(r.Runtime) + " [" + r.Runtime.Source + "]")
		for _, w := range r.Runtime.Warnings {
			p.Warnings = append(p.Warnings, txt(w))
		}
	}
	if r.Profiles == nil {
		return p
	}
	p.Profiling = txt(sla.ProfilingLine(r.Profiles))
	for _, row := range sla.ProfileRows(r.Profiles) {
		p.Rows = append(p.Rows, sla.ProfileRow{Kind: row.Kind, Top: txt(row.Top), File: txt(row.File)})
	}
	for _, w := range r.Profiles.Warnings {
		p.Warnings = append(p.Warnings, txt(w))
	}
	return p
}

// runtimeCharts plot the service's runtime readings per interval next to
// latency: goroutines, heap, GC pause time and scheduling latency, each
// when some interval has it.
func runtimeCharts(id string, r *loadrunner.Result) []*svgChart {
	type gauge struct {
		suffix, title, yLabel, class string
		value                        func(s *loadrunner.RuntimeSample) (float64, bool)
	}
	gauges := []gauge{
		{"goroutines", "Service goroutines over time", "goroutines", "s-p50",
			func(s *loadrunner.RuntimeSample) (float64, bool) { return float64(s.Goroutines), s.Goroutines > 0 }},
		{"heap", "Service heap over time", "heap (MiB)", "s-service",
			func(s *loadrunner.RuntimeSample) (float64, bool) {
				return float64(s.HeapBytes) / (1 << 20), s.HeapBytes > 0
			}},
		{"gcpause", "Service GC pause time per interval", "pause time (ms)", "s-gc",
			func(s *loadrunner.RuntimeSample) (float64, bool) { return s.GCPauseTotal.Seconds() * 1e3, s.GCKnown }},
		{"sched", "Service scheduling latency p99 per interval", "p99 (ms)", "s-p99",
			func(s *loadrunner.RuntimeSample) (float64, bool) { return s.SchedP99.Seconds() * 1e3, s.SchedP99 > 0 }},
	}
	var out []*svgChart
	for _, g := range gauges {
		if c := gaugeChart(id+"-"+g.suffix, g.title, g.yLabel, g.class, r, g.value); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// gaugeChart draws one runtime figure per interval; nil when no interval
// has it.
func gaugeChart(id, title, yLabel, class string, r *loadrunner.Result, value func(*loadrunner.RuntimeSample) (float64, bool)) *svgChart {
	ys := make([]float64, len(r.Timeseries))
	ok := make([]bool, len(r.Timeseries))
	top, any := 0.0, false
	for i, iv := range r.Timeseries {
		if iv.Runtime == nil {
			continue
		}
		ys[i], ok[i] = value(iv.Runtime)
		if ok[i] {
			top, any = max(top, ys[i]), true
		}
	}
	if !any {
		return nil
	}
	p := plotArea()
	y := linearAxis(0, top, p.Y+p.H, p.Y, trimFloat)
	x, xs := timeAxis(r, p)
	c := newChart(id, title, x, y, "time in the measured window (s)", yLabel)
	c.addSeries(class, xs, ys, ok, x, y)
	return c
}
