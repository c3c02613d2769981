package contract_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
)

// hostileDocument declares one operation answering JSON of schema %s, and
// a recursive Node schema.
const hostileDocument = `openapi: 3.0.3
info: {title: hostile, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: %s
components:
  schemas:
    Node:
      type: object
      properties:
        c: {type: array, items: {$ref: '#/components/schemas/Node'}}
`

// hostileOperation loads hostileDocument with schema.
func hostileOperation(t testing.TB, schema string) *contract.Operation {
	t.Helper()
	doc, err := contract.LoadBytes(fmt.Appendf(nil, hostileDocument, schema))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := doc.Operations()
	if err != nil || len(ops) != 1 {
		t.Fatalf("operations: %d, %v", len(ops), err)
	}
	return ops[0]
}

// jsonArray returns a JSON array of n copies of item.
func jsonArray(item string, n int) []byte {
	return []byte("[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]")
}

// nested returns depth objects, each holding the next in an array.
func nested(depth int) []byte {
	return []byte(strings.Repeat(`{"c":[`, depth) + `{}` + strings.Repeat(`]}`, depth))
}

// hostileBodies are bodies a broken or hostile service may answer with, the
// schema they are checked against, and the violation each must give
// (empty: the body keeps the contract).
func hostileBodies(t testing.TB) []struct {
	name, schema string
	body         []byte
	gzip         bool
	want         string
} {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(make([]byte, 512<<20))
	zw.Close()
	return []struct {
		name, schema string
		body         []byte
		gzip         bool
		want         string
	}{
		{"1 MiB of nested arrays", `{}`, []byte(strings.Repeat("[", 1<<19) + strings.Repeat("]", 1<<19)), false, "deeper than 256 levels"},
		{"nested 5,000 deep in a recursive schema", `{$ref: '#/components/schemas/Node'}`, nested(5000), false, "deeper than 256 levels"},
		{"nested 100 deep in a recursive schema", `{$ref: '#/components/schemas/Node'}`, nested(100), false, ""},
		{"100,000 items of the wrong type", `{type: array, items: {type: string}}`, jsonArray("1", 100_000), false, "body schema at /*: type: value must be a string"},
		{"500,000 items", `{type: array, items: {type: integer}}`, jsonArray("1", 500_000), false, ""},
		{"500,000 items, uniqueItems", `{type: array, uniqueItems: true, items: {type: integer}}`, jsonArray("1", 500_000), false, "uniqueItems"},
		{"40,000 strings against a pattern", `{type: array, items: {type: string, pattern: "^(a|aa|aaa)*b$"}}`, jsonArray(`"aaaaaaaaaaaaaaaaaaaa"`, 40_000), false, "pattern"},
		{"a 1 MiB string against a pattern", `{type: string, pattern: "^(a|aa)*b$"}`, []byte(`"` + strings.Repeat("a", 1<<20-16) + `"`), false, "pattern"},
		{"gzip that expands to 512 MiB", `{}`, bomb.Bytes(), true, "body is not valid JSON"},
	}
}

// TestHostileBodiesAreBoundedAndClassified runs a contract target against a
// loopback service answering each hostile body: the run ends on time, the
// heap stays bounded, every response is counted once (checked, or
// unchecked when the checker had no room before the request's deadline),
// and each violation is classified contract with a short pointer.
func TestHostileBodiesAreBoundedAndClassified(t *testing.T) {
	plan := loadrunner.Plan{Rate: 10, Duration: time.Second, Timeout: 5 * time.Second, MaxInFlight: 16}
	for _, c := range hostileBodies(t) {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if c.gzip {
					w.Header().Set("Content-Encoding", "gzip")
				}
				w.Write(c.body)
			}))
			defer srv.Close()
			findings := contract.NewFindings(0)
			target, err := hostileOperation(t, c.schema).Target(srv.URL, contract.WithFindings(findings))
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			peak := peakHeap()
			began := time.Now()
			res, err := loadrunner.Run(t.Context(), plan, target)
			took, grew := time.Since(began), peak()
			if err != nil {
				t.Fatal(err)
			}
			if bound := plan.Duration + plan.Timeout + 10*time.Second; took > bound {
				t.Errorf("the run took %s, want at most %s", took, bound)
			}
			if grew > 384<<20 {
				t.Errorf("the heap peaked %d MiB above its start", grew>>20)
			}
			st := findings.Stats()
			if st.Responses != int64(res.Requests-res.Errors.ByClass[loadrunner.ClassTimeout]) || st.Checked+st.Unchecked != st.Responses {
				t.Errorf("stats %+v for %d requests (errors %v)", st, res.Requests, res.Errors.ByClass)
			}
			for class := range res.Errors.ByClass {
				if class != loadrunner.ClassContract && class != loadrunner.ClassTimeout {
					t.Errorf("errors %v: want only contract violations (and timeouts of a starved machine)", res.Errors.ByClass)
				}
			}
			list := findings.List()
			switch {
			case c.want == "" && len(list) > 0:
				t.Errorf("findings %v for a body that keeps the contract", list)
			case c.want != "" && st.Checked > 0 && (len(list) != 1 || !strings.Contains(list[0].String(), c.want)):
				t.Errorf("findings %v, want one saying %q", list, c.want)
			}
			for _, f := range list {
				if len(f.Pointer) > 256 || len(f.Reason) > 512 {
					t.Errorf("finding too long: %d-byte pointer, %d-byte reason", len(f.Pointer), len(f.Reason))
				}
			}
			t.Logf("took %s, heap +%d MiB at the peak; requests %d, errors %v; checked %d, unchecked %d, check time %s",
				took.Round(time.Millisecond), grew>>20, res.Requests, res.Errors.ByClass, st.Checked, st.Unchecked, st.CheckTime.Round(time.Millisecond))
		})
	}
}

// peakHeap samples the heap in use every 2 ms until the returned function is
// called, which returns its peak above the first sample.
func peakHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		metrics.Read(s)
		start := s[0].Value.Uint64() + s[1].Value.Uint64()
		peak := start
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-stop:
				done <- peak - start
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

// TestLargeBodiesGiveTheirFirstViolation: a small body broken everywhere
// gives its first 8 violations; a large one (over 64 KiB) only its first,
// since collecting every violation costs memory for each.
func TestLargeBodiesGiveTheirFirstViolation(t *testing.T) {
	op := hostileOperation(t, `{type: array, items: {type: string}}`)
	h := http.Header{"Content-Type": {"application/json"}}
	for _, c := range []struct{ items, want int }{{100, 8}, {100_000, 1}} {
		errs := op.CheckResponse(200, h, jsonArray("1", c.items))
		if len(errs) != c.want || !strings.Contains(errs[0].Error(), "body schema at /0: type: value must be a string") {
			t.Errorf("%d wrong items: %d violations (%v), want %d", c.items, len(errs), errs, c.want)
		}
	}
}

// TestBracketsInStringsAreNotNesting: the nesting bound counts arrays and
// objects, not brackets inside strings (escaped quotes included).
func TestBracketsInStringsAreNotNesting(t *testing.T) {
	op := hostileOperation(t, `{}`)
	h := http.Header{"Content-Type": {"application/json"}}
	deepText := strings.Repeat("[{", 300)
	for _, body := range []string{
		`["` + deepText + `"]`,
		`{"a": "\"` + deepText + `", "b": [1]}`,
		`["\\", ` + string(nested(100)) + `]`,
	} {
		if errs := op.CheckResponse(200, h, []byte(body)); len(errs) != 0 {
			t.Errorf("%.40s…: %v", body, errs)
		}
	}
	if errs := op.CheckResponse(200, h, []byte(`["\\"`+strings.Repeat(",[", 300)+strings.Repeat("]", 301))); len(errs) != 1 || !strings.Contains(errs[0].Error(), "deeper than 256") {
		t.Errorf("nesting after an escaped backslash: %v", errs)
	}
}

// TestDocumentAliasBombIsRefused: a document (which LoadURL may fetch from
// the service) whose YAML aliases expand to a billion strings is refused at
// once, not expanded.
func TestDocumentAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	prev := "a"
	for i := range 8 {
		name := fmt.Sprintf("b%d", i)
		fmt.Fprintf(&b, "x-%s: &%s [%s]\n", name, name, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", "))
		prev = name
	}
	b.WriteString("paths: {}\n")
	began := time.Now()
	_, err := contract.LoadBytes([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Fatalf("error %v, want the aliasing refused", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("refusing took %s", took)
	}
}
