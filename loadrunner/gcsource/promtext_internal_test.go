package gcsource

import (
	"math"
	"strings"
	"testing"
)

func TestParsePromLine(t *testing.T) {
	cases := []struct {
		name   string
		line   string
		sample bool // a sample, not a blank or comment
		metric string
		labels []promLabel
		value  float64
		err    string
	}{
		{name: "plain", line: "go_goroutines 7", sample: true, metric: "go_goroutines", value: 7},
		{name: "labels", line: `x{a="1",b="two"} 2.5`, sample: true, metric: "x", labels: []promLabel{{"a", "1"}, {"b", "two"}}, value: 2.5},
		{name: "trailing comma and blanks", line: `x{ a = "1" , } 1`, sample: true, metric: "x", labels: []promLabel{{"a", "1"}}, value: 1},
		{name: "empty labels", line: `x{} 3`, sample: true, metric: "x", value: 3},
		{name: "escapes", line: `x{a="q\"b\\n\n"} 1`, sample: true, metric: "x", labels: []promLabel{{"a", "q\"b\\n\n"}}, value: 1},
		{name: "timestamp", line: "x 1e-3 1700000000000", sample: true, metric: "x", value: 0.001},
		{name: "colon name", line: "job:rate5m 4", sample: true, metric: "job:rate5m", value: 4},
		{name: "+Inf value", line: "x +Inf", sample: true, metric: "x", value: math.Inf(1)},
		{name: "blank", line: "   "},
		{name: "comment", line: "# anything at all {"},
		{name: "help", line: "# HELP x some help text"},
		{name: "type", line: "# TYPE x histogram"},
		{name: "bad type", line: "# TYPE x gaugey", err: `unknown type "gaugey"`},
		{name: "bad help name", line: "# HELP 9x help", err: `bad metric name "9x"`},
		{name: "no value", line: "x", err: "want a value"},
		{name: "too many fields", line: "x 1 2 3", err: "got 3 fields"},
		{name: "bad value", line: "x one", err: `"one": not a number`},
		{name: "hex value", line: "x 0x10", err: "not a decimal number"},
		{name: "bad timestamp", line: "x 1 soon", err: `timestamp "soon"`},
		{name: "digit first", line: "1x 1", err: "metric name: unexpected '1'"},
		{name: "unterminated labels", line: `x{a="1" 1`, err: "want ',' or '}'"},
		{name: "unterminated value", line: `x{a="1} 1`, err: "unterminated value"},
		{name: "unknown escape", line: `x{a="\t"} 1`, err: `unknown escape \t`},
		{name: "repeated label", line: `x{a="1",a="2"} 1`, err: "label a repeated"},
		{name: "unquoted label", line: `x{a=1} 1`, err: "want a quoted value"},
		{name: "no equals", line: `x{a} 1`, err: "want '='"},
		{name: "junk after name", line: `x} 1`, err: "unexpected '}' after the name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok, err := parsePromLine(tc.line)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if ok != tc.sample {
				t.Fatalf("sample = %v, want %v", ok, tc.sample)
			}
			if !ok {
				return
			}
			if s.name != tc.metric || s.value != tc.value || len(s.labels) != len(tc.labels) {
				t.Fatalf("got %+v, want %s %v %g", s, tc.metric, tc.labels, tc.value)
			}
			for i, l := range tc.labels {
				if s.labels[i] != l {
					t.Errorf("label %d = %+v, want %+v", i, s.labels[i], l)
				}
			}
		})
	}
}

func TestParsePrometheusBounds(t *testing.T) {
	cases := []struct {
		name  string
		input string
		err   string
	}{
		{"long line", "x " + strings.Repeat("1", maxPromLine), "line 1: longer than"},
		{"many labels", "x{" + strings.Repeat(`a="1",`, 1) + manyLabels(maxPromLabels+1) + "} 1", "more than 64 labels"},
		{"error names its line", "a 1\nb 2\r\nc x\n", "line 3: metric c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePrometheus([]byte(tc.input), nil)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.err)
			}
		})
	}
}

func TestParsePrometheusKeeps(t *testing.T) {
	in := "# TYPE go_gc_duration_seconds summary\r\ngo_gc_duration_seconds_sum 1\ngo_threads 3\ngo_gc_duration_seconds_count 2"
	all, err := parsePrometheus([]byte(in), nil)
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %d samples, err %v; want 3", len(all), err)
	}
	kept, err := parsePrometheus([]byte(in), keepFamily)
	if err != nil || len(kept) != 2 || kept[1].name != "go_gc_duration_seconds_count" || kept[1].value != 2 {
		t.Fatalf("kept: %+v, err %v; want the summary's two samples", kept, err)
	}
}

func manyLabels(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("l")
		for j := i; ; j /= 26 {
			b.WriteByte(byte('a' + j%26))
			if j < 26 {
				break
			}
		}
		b.WriteString(`="v",`)
	}
	return b.String()
}
