package gcsource

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Bounds of the Prometheus text parser, so hostile input cannot make it
// allocate without limit (the body itself is bounded by the fetch).
const (
	maxPromLine    = 64 << 10 // bytes in one line
	maxPromLabels  = 64       // labels on one sample
	maxPromSamples = 1 << 18  // samples kept
)

// promSample is one sample line of the Prometheus text exposition format.
type promSample struct {
	name   string
	labels []promLabel
	value  float64
}

type promLabel struct{ name, value string }

// label returns the value of the label called name and whether it is set.
func (s promSample) label(name string) (string, bool) {
	for _, l := range s.labels {
		if l.name == name {
			return l.value, true
		}
	}
	return "", false
}

// parsePrometheus parses the Prometheus text exposition format (version
// 0.0.4) strictly: every line must be blank, a comment, or a well-formed
// sample; HELP and TYPE comments are checked. It keeps the samples whose
// metric name keep accepts (all when keep is nil). An error names the line.
func parsePrometheus(data []byte, keep func(name string) bool) ([]promSample, error) {
	var out []promSample
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > maxPromLine {
			return nil, fmt.Errorf("line %d: longer than %d bytes", n, maxPromLine)
		}
		s, ok, err := parsePromLine(string(bytes.TrimSuffix(line, []byte("\r"))))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !ok || (keep != nil && !keep(s.name)) {
			continue
		}
		if len(out) == maxPromSamples {
			return nil, fmt.Errorf("line %d: more than %d samples", n, maxPromSamples)
		}
		out = append(out, s)
	}
	return out, nil
}

// parsePromLine parses one line; ok is false for blank lines and comments.
func parsePromLine(line string) (s promSample, ok bool, err error) {
	line = strings.TrimLeft(line, " \t")
	switch {
	case line == "":
		return s, false, nil
	case line[0] == '#':
		return s, false, parsePromComment(line)
	}
	p := promLexer{s: line}
	if s.name, err = p.name(isMetricChar); err != nil {
		return s, false, fmt.Errorf("metric name: %w", err)
	}
	if p.peek() == '{' {
		p.i++
		if s.labels, err = p.labels(); err != nil {
			return s, false, fmt.Errorf("metric %s: %w", s.name, err)
		}
	}
	fields := strings.Fields(p.s[p.i:])
	if p.i < len(p.s) && !isBlank(p.s[p.i]) {
		return s, false, fmt.Errorf("metric %s: unexpected %q after the name", s.name, p.s[p.i])
	}
	if len(fields) == 0 || len(fields) > 2 {
		return s, false, fmt.Errorf("metric %s: want a value and an optional timestamp, got %d fields", s.name, len(fields))
	}
	if s.value, err = parsePromValue(fields[0]); err != nil {
		return s, false, fmt.Errorf("metric %s: value: %w", s.name, err)
	}
	if len(fields) == 2 {
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			return s, false, fmt.Errorf("metric %s: timestamp %q: not an integer", s.name, fields[1])
		}
	}
	return s, true, nil
}

// parsePromComment checks HELP and TYPE comments; other comments pass.
func parsePromComment(line string) error {
	f := strings.Fields(line[1:])
	if len(f) < 2 || (f[0] != "HELP" && f[0] != "TYPE") {
		return nil
	}
	p := promLexer{s: f[1]}
	if _, err := p.name(isMetricChar); err != nil || p.i != len(p.s) {
		return fmt.Errorf("# %s: bad metric name %q", f[0], f[1])
	}
	if f[0] == "TYPE" {
		if len(f) != 3 {
			return fmt.Errorf("# TYPE %s: want one type", f[1])
		}
		switch f[2] {
		case "counter", "gauge", "histogram", "summary", "untyped":
		default:
			return fmt.Errorf("# TYPE %s: unknown type %q", f[1], f[2])
		}
	}
	return nil
}

// parsePromValue parses a sample value: a Go float, or NaN, +Inf, -Inf.
// Hexadecimal floats and digit separators are refused.
func parsePromValue(v string) (float64, error) {
	if strings.ContainsAny(v, "xX_pP") {
		return 0, fmt.Errorf("%q: not a decimal number", v)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: not a number", v)
	}
	return f, nil
}

// promLexer walks one sample line.
type promLexer struct {
	s string
	i int
}

func (p *promLexer) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *promLexer) skipBlanks() {
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
}

// name reads a metric or label name.
func (p *promLexer) name(ok func(c byte, first bool) bool) (string, error) {
	start := p.i
	for p.i < len(p.s) && ok(p.s[p.i], p.i == start) {
		p.i++
	}
	if p.i == start {
		if p.i < len(p.s) {
			return "", fmt.Errorf("unexpected %q", p.s[p.i])
		}
		return "", fmt.Errorf("missing")
	}
	return p.s[start:p.i], nil
}

// labels reads name="value" pairs up to and including the closing brace.
func (p *promLexer) labels() ([]promLabel, error) {
	var ls []promLabel
	for {
		p.skipBlanks()
		if p.peek() == '}' {
			p.i++
			return ls, nil
		}
		if len(ls) == maxPromLabels {
			return nil, fmt.Errorf("more than %d labels", maxPromLabels)
		}
		l, err := p.label()
		if err != nil {
			return nil, err
		}
		for _, o := range ls {
			if o.name == l.name {
				return nil, fmt.Errorf("label %s repeated", l.name)
			}
		}
		ls = append(ls, l)
		p.skipBlanks()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, fmt.Errorf("label %s: want ',' or '}' after the value", l.name)
		}
	}
}

func (p *promLexer) label() (promLabel, error) {
	name, err := p.name(isLabelChar)
	if err != nil {
		return promLabel{}, fmt.Errorf("label name: %w", err)
	}
	p.skipBlanks()
	if p.peek() != '=' {
		return promLabel{}, fmt.Errorf("label %s: want '='", name)
	}
	p.i++
	p.skipBlanks()
	if p.peek() != '"' {
		return promLabel{}, fmt.Errorf("label %s: want a quoted value", name)
	}
	p.i++
	value, err := p.quoted()
	if err != nil {
		return promLabel{}, fmt.Errorf("label %s: %w", name, err)
	}
	return promLabel{name: name, value: value}, nil
}

// quoted reads a label value after its opening quote, through the closing one.
func (p *promLexer) quoted() (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if p.i == len(p.s) {
				return "", fmt.Errorf("unterminated escape")
			}
			switch e := p.s[p.i]; e {
			case '\\', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			default:
				return "", fmt.Errorf("unknown escape \\%c", e)
			}
			p.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated value")
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isMetricChar(c byte, first bool) bool {
	return c == ':' || isLabelChar(c, first)
}

func isLabelChar(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}
