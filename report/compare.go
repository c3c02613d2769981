package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// ComparedPercentiles are the latency percentiles Compare checks.
var ComparedPercentiles = []float64{50, 90, 99, 99.9}

// Change is the outcome of one comparison row.
type Change string

// The outcomes of a comparison row.
const (
	Regressed     Change = "regressed"
	Improved      Change = "improved"
	Unchanged     Change = "unchanged"
	NotComparable Change = "not comparable"
)

// Row compares one figure of one operation between a baseline and a run.
type Row struct {
	Operation string  `json:"operation"`
	Metric    string  `json:"metric"`
	Base      string  `json:"base"`
	Current   string  `json:"current"`
	Delta     float64 `json:"delta"` // relative change, (current−base)/base
	Change    Change  `json:"change"`
	Detail    string  `json:"detail,omitempty"`
}

// Threshold says how much worse a figure may get before it counts as a
// regression: by more than Relative (a share: 0.1 for 10%) and, for
// latency, by more than Absolute as well — runs at different moments of a
// shared machine differ by tens of microseconds whatever their sample
// counts say, so a change smaller than that is noise, not a regression.
type Threshold struct {
	Relative float64       `json:"relative"`
	Absolute time.Duration `json:"absolute_ns"`
}

// DefaultThreshold is 10% and 1 ms.
var DefaultThreshold = Threshold{Relative: 0.1, Absolute: time.Millisecond}

// Comparison is a whole baseline comparison.
type Comparison struct {
	Threshold Threshold `json:"threshold"`
	Rows      []Row     `json:"rows"`
}

// Regressions returns the rows that regressed.
func (c Comparison) Regressions() []Row {
	var out []Row
	for _, r := range c.Rows {
		if r.Change == Regressed {
			out = append(out, r)
		}
	}
	return out
}

// Compare compares every operation of current with the same-named one of
// base. A figure regressed only when it is worse by more than the threshold
// AND the difference is beyond what the noise of the two runs can explain:
//
//   - a latency percentile (p50, p90, p99, p99.9), when it is worse by more
//     than t.Relative and t.Absolute, both runs have enough samples for it
//     (sla.NeededSamples) and the 95% confidence intervals of the two
//     percentiles do not overlap (the current run's lower bound is above the
//     baseline's upper bound);
//   - the error rate, when a two-proportion z-test puts the increase more than
//     three standard errors above zero.
//
// Operations present in only one document are listed as not comparable.
func Compare(base, current *Document, t Threshold) Comparison {
	c := Comparison{Threshold: t}
	baseBy := map[string]Entry{}
	for _, e := range base.Operations {
		baseBy[e.Name] = e
	}
	for _, cur := range current.Operations {
		b, ok := baseBy[cur.Name]
		if !ok {
			c.Rows = append(c.Rows, Row{Operation: cur.Name, Metric: "-", Change: NotComparable, Detail: "not in the baseline"})
			continue
		}
		delete(baseBy, cur.Name)
		for _, q := range ComparedPercentiles {
			c.Rows = append(c.Rows, comparePercentile(cur.Name, q, b.Result, cur.Result, t))
		}
		c.Rows = append(c.Rows, compareErrors(cur.Name, b.Result, cur.Result, t.Relative))
	}
	for _, e := range base.Operations {
		if _, missing := baseBy[e.Name]; missing {
			c.Rows = append(c.Rows, Row{Operation: e.Name, Metric: "-", Change: NotComparable, Detail: "not in this run"})
		}
	}
	return c
}

func comparePercentile(op string, q float64, base, cur *loadrunner.Result, t Threshold) Row {
	maxReg := t.Relative
	row := Row{Operation: op, Metric: "p" + trimPercentile(q)}
	bLo, bHi, bOK := sla.PercentileBounds(base.Latency, q)
	cLo, cHi, cOK := sla.PercentileBounds(cur.Latency, q)
	bv, cv := base.Latency.Percentile(q), cur.Latency.Percentile(q)
	row.Base, row.Current = roundForCompare(bv).String(), roundForCompare(cv).String()
	if bv > 0 {
		row.Delta = float64(cv-bv) / float64(bv)
	}
	switch {
	case !bOK || !cOK:
		row.Change = NotComparable
		row.Detail = fmt.Sprintf("too few samples (%d and %d; %s needs %d)", base.Latency.Count(), cur.Latency.Count(), row.Metric, sla.NeededSamples(q))
	case row.Delta > maxReg && cv-bv > t.Absolute && cLo > bHi:
		row.Change = Regressed
		row.Detail = fmt.Sprintf("95%% CI %s–%s is above the baseline's %s–%s", roundForCompare(cLo), roundForCompare(cHi), roundForCompare(bLo), roundForCompare(bHi))
	case row.Delta < -maxReg && bv-cv > t.Absolute && cHi < bLo:
		row.Change = Improved
	default:
		row.Change = Unchanged
		switch {
		case row.Delta > maxReg && cv-bv <= t.Absolute:
			row.Detail = fmt.Sprintf("worse by %s, within the %s noise floor", roundForCompare(cv-bv), t.Absolute)
		case row.Delta > maxReg:
			row.Detail = "worse, but within the noise of the two runs (confidence intervals overlap)"
		}
	}
	return row
}

func compareErrors(op string, base, cur *loadrunner.Result, maxReg float64) Row {
	row := Row{Operation: op, Metric: "errors"}
	bn, cn := float64(base.Requests), float64(cur.Requests)
	bp, cp := base.ErrorRate(), cur.ErrorRate()
	row.Base, row.Current = fmt.Sprintf("%.3g%%", 100*bp), fmt.Sprintf("%.3g%%", 100*cp)
	if bp > 0 {
		row.Delta = (cp - bp) / bp
	} else if cp > 0 {
		row.Delta = math.Inf(1)
	}
	if bn == 0 || cn == 0 {
		row.Change, row.Detail = NotComparable, "no completed requests"
		return row
	}
	pooled := (bp*bn + cp*cn) / (bn + cn)
	se := math.Sqrt(pooled * (1 - pooled) * (1/bn + 1/cn))
	z := 0.0
	if se > 0 {
		z = (cp - bp) / se
	}
	switch {
	case row.Delta > maxReg && z > 3:
		row.Change, row.Detail = Regressed, fmt.Sprintf("z = %.1f", z)
	case row.Delta < -maxReg && z < -3:
		row.Change = Improved
	default:
		row.Change = Unchanged
	}
	return row
}

// WriteComparison writes the comparison as a table, regressions first.
func WriteComparison(w io.Writer, c Comparison) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tMETRIC\tBASELINE\tCURRENT\tCHANGE\tVERDICT\tDETAIL")
	for _, pass := range []bool{true, false} {
		for _, r := range c.Rows {
			if (r.Change == Regressed) != pass {
				continue
			}
			delta := "-"
			if !math.IsNaN(r.Delta) && r.Change != NotComparable {
				delta = fmt.Sprintf("%+.1f%%", 100*r.Delta)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Operation, r.Metric, dashedIfEmpty(r.Base), dashedIfEmpty(r.Current), delta, r.Change, r.Detail)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := len(c.Regressions())
	_, err := fmt.Fprintf(w, "%d regression(s) beyond %.3g%%, %s and the noise of the two runs\n", n, 100*c.Threshold.Relative, c.Threshold.Absolute)
	return err
}

func roundForCompare(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond / 10)
}

func trimPercentile(q float64) string { return fmt.Sprintf("%g", q) }

func dashedIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ParseThreshold reads a regression threshold written as a percentage
// ("10%") or a share ("0.1").
func ParseThreshold(s string) (float64, error) {
	num, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a non-negative percentage such as 10%% or a share such as 0.1")
	}
	if pct {
		v /= 100
	}
	return v, nil
}
