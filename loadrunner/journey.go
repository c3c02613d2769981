package loadrunner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// JourneyStep is one request of a journey: the operation it exercises, the
// request (whose URL, headers and body may use "{var}" for values captured
// by earlier steps), and what to capture from its response.
type JourneyStep struct {
	Name     string
	Request  Request
	Captures []Capture
}

// Capture takes a value from a step's JSON response body, at a JSON pointer
// (RFC 6901, e.g. "/id" or "/items/0/sku"), into a variable later steps use
// as "{var}".
type Capture struct {
	Var, Pointer string
}

// Step returns a journey step.
func Step(name string, req Request, captures ...Capture) JourneyStep {
	return JourneyStep{Name: name, Request: req, Captures: captures}
}

// CaptureJSON captures the value at pointer into variable v.
func CaptureJSON(v, pointer string) Capture { return Capture{Var: v, Pointer: pointer} }

// JourneyTarget sends a sequence of requests per hit, later ones using values
// captured from earlier responses (create → get → update → delete). Hits
// start on the open-model schedule (journeys per second); the Result's
// latency is the whole journey's, less the time its captures and checks
// took (Result.Checks), and each step is also counted in its operation
// (Result.Operations), the first step's latency from the journey's intended
// start. A failed step ends its journey, which fails with
// that step's error class.
type JourneyTarget struct {
	name  string
	http  *HTTPTarget
	steps []JourneyStep
	ops   []string // distinct operation names
	opOf  []int    // step → operation index
	err   error
}

// varRef matches a "{var}" reference.
var varRef = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_.-]*)\}`)

// Journey returns a journey target named name that sends steps against
// baseURL; opts configure the HTTP transport and headers as for HTTP
// (WithHeader, WithClient, WithCheck, WithMaxBody).
func Journey(name, baseURL string, steps []JourneyStep, opts ...HTTPOption) *JourneyTarget {
	j := &JourneyTarget{name: name, http: HTTP(baseURL, opts...), steps: steps}
	j.err = j.validate()
	if j.err == nil {
		j.addStepHosts()
	}
	return j
}

func (j *JourneyTarget) validate() error {
	if err := j.http.Validate(); err != nil {
		return fmt.Errorf("loadrunner: journey %s: %w", j.name, err)
	}
	if len(j.steps) == 0 {
		return fmt.Errorf("loadrunner: journey %s: no steps", j.name)
	}
	index := map[string]int{}
	captured := map[string]bool{}
	for i, st := range j.steps {
		if strings.TrimSpace(st.Name) == "" {
			return fmt.Errorf("loadrunner: journey %s: step %d has no name", j.name, i+1)
		}
		for _, ref := range refs(st.Request) {
			if !captured[ref] {
				return fmt.Errorf("loadrunner: journey %s: step %d (%s) uses {%s}, which no earlier step captures", j.name, i+1, st.Name, ref)
			}
		}
		for _, c := range st.Captures {
			if c.Var == "" || (c.Pointer != "" && !strings.HasPrefix(c.Pointer, "/")) {
				return fmt.Errorf("loadrunner: journey %s: step %d (%s): capture %q at %q: want a variable name and a JSON pointer such as /id", j.name, i+1, st.Name, c.Var, c.Pointer)
			}
			captured[c.Var] = true
		}
		k, ok := index[st.Name]
		if !ok {
			k = len(j.ops)
			index[st.Name] = k
			j.ops = append(j.ops, st.Name)
		}
		j.opOf = append(j.opOf, k)
	}
	return nil
}

// refs returns the variables a request refers to.
func refs(r Request) []string {
	var out []string
	add := func(s string) {
		for _, m := range varRef.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
	}
	add(r.URL)
	add(string(r.Body))
	for _, vs := range r.Header {
		for _, v := range vs {
			add(v)
		}
	}
	return out
}

// Validate reports a bad journey: no steps, a step using a variable no
// earlier step captures, a bad capture, a bad base URL.
func (j *JourneyTarget) Validate() error { return j.err }

// Prepare sizes the journey's transport for the plan; Run calls it.
func (j *JourneyTarget) Prepare(p Plan) { j.http.Prepare(p) }

// Operations returns the journey's operations (its steps' distinct names).
func (j *JourneyTarget) Operations() []string { return j.ops }

// String describes the journey.
func (j *JourneyTarget) String() string {
	names := make([]string, len(j.steps))
	for i, st := range j.steps {
		names[i] = st.Name
	}
	return fmt.Sprintf("journey %s (%s) at %s", j.name, strings.Join(names, " → "), j.http.red.URL(j.http.base.String()))
}

// Hit runs one journey. Its latency ends when the last step's response has
// been read; every step's checks and captures are timed apart (Trace.CheckTime)
// and taken out of the journey's latency.
func (j *JourneyTarget) Hit(ctx context.Context, _ uint64, tr *Trace) error {
	if j.err != nil {
		return j.err
	}
	vars := map[string]string{}
	for i, st := range j.steps {
		start := time.Now()
		var step Trace
		err := j.step(ctx, st, vars, &step)
		end := step.Read
		if end.IsZero() {
			end = time.Now()
		}
		tr.Steps = append(tr.Steps, StepTrace{Op: j.opOf[i], Start: start, End: end, Status: step.Status, Proto: step.Proto, Err: err,
			Checked: step.Checked, CheckTime: step.CheckTime})
		// The earlier steps' checks and captures fall inside the journey's
		// latency: they are taken out of it (Paused).
		tr.Status, tr.Proto, tr.Read, tr.Paused = step.Status, step.Proto, end, tr.CheckTime
		tr.Checked, tr.CheckTime = tr.Checked || step.Checked, tr.CheckTime+step.CheckTime
		if err != nil {
			return &Error{Class: ClassOf(err), Err: fmt.Errorf("journey %s: step %d (%s): %w", j.name, i+1, st.Name, err)}
		}
	}
	return nil
}

// step sends one step with the variables substituted and captures its values.
func (j *JourneyTarget) step(ctx context.Context, st JourneyStep, vars map[string]string, tr *Trace) error {
	req := Request{Method: st.Request.Method, URL: expand(st.Request.URL, vars, url.PathEscape)}
	if st.Request.Body != nil {
		req.Body = []byte(expand(string(st.Request.Body), vars, jsonText))
	}
	if len(st.Request.Header) > 0 {
		req.Header = st.Request.Header.Clone()
		for k, vs := range req.Header {
			for i, v := range vs {
				req.Header[k][i] = expand(v, vars, func(s string) string { return s })
			}
		}
	}
	p, err := j.http.runtimeRequest(req)
	if err != nil {
		return err
	}
	var onBody func([]byte) error
	if len(st.Captures) > 0 {
		onBody = func(body []byte) error { return capture(body, st.Captures, vars) }
	}
	return j.http.send(ctx, p, tr, onBody)
}

// expand replaces each {var} in s with its value, escaped by esc.
func expand(s string, vars map[string]string, esc func(string) string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return esc(v)
		}
		return m
	})
}

// jsonText escapes a value for use inside a JSON string literal.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// maxCaptured bounds a captured value, which later steps put into their
// URL, headers or body: a service cannot make them carry megabytes.
const maxCaptured = 8 << 10

// capture reads each capture's value from a JSON body into vars.
func capture(body []byte, captures []Capture, vars map[string]string) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return ClassError(ClassCheck, fmt.Errorf("capture: the response body is not JSON: %w", err))
	}
	for _, c := range captures {
		v, err := pointerValue(doc, c.Pointer)
		if err == nil && len(v) > maxCaptured {
			err = fmt.Errorf("the value is %d bytes long, more than the %d a later request may carry", len(v), maxCaptured)
		}
		if err != nil {
			return ClassError(ClassCheck, fmt.Errorf("capture %s at %s: %w", c.Var, c.Pointer, err))
		}
		vars[c.Var] = v
	}
	return nil
}

// pointerValue resolves a JSON pointer to a scalar, as text.
func pointerValue(doc any, pointer string) (string, error) {
	cur := doc
	if pointer != "" {
		for _, tok := range strings.Split(pointer[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch node := cur.(type) {
			case map[string]any:
				v, ok := node[tok]
				if !ok {
					return "", fmt.Errorf("no member %q", tok)
				}
				cur = v
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(node) {
					return "", fmt.Errorf("no element %q in an array of %d", tok, len(node))
				}
				cur = node[i]
			default:
				return "", fmt.Errorf("%q is below a scalar", tok)
			}
		}
	}
	switch v := cur.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", errors.New("the value is null")
	case []any:
		return "", fmt.Errorf("the value is an array of %d, not a scalar", len(v))
	}
	return "", errors.New("the value is an object, not a scalar")
}
