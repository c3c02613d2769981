package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

func TestCapacityBadFlags(t *testing.T) {
	const url = "http://127.0.0.1:1/"
	const sla = "p90<50ms"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"-sla", sla}, "-url is required"},
		{"no sla", []string{"-url", url}, "-sla is required"},
		{"bad sla", []string{"-url", url, "-sla", "p99<abc"}, `-sla: sla: budget "p99<abc" at column 1`},
		{"bad url", []string{"-url", "ftp://x/", "-sla", sla}, "-url"},
		{"bad header", []string{"-url", url, "-sla", sla, "-header", "novalue"}, `header "novalue": want Name: value`},
		{"bad min", []string{"-url", url, "-sla", sla, "-min", "0"}, "Min 0 req/s must be a positive number"},
		{"max below min", []string{"-url", url, "-sla", sla, "-min", "50", "-max", "20"}, "Max 20 req/s must be a number at least Min 50"},
		{"bad steps", []string{"-url", url, "-sla", sla, "-steps", "500"}, "Steps 500 must be between 1 and 64"},
		{"negative cooldown", []string{"-url", url, "-sla", sla, "-cooldown", "-1s"}, "Cooldown -1s is negative"},
		{"bad search", []string{"-url", url, "-sla", sla, "-search", "golden"}, `search "golden": want "step" or "binary"`},
		{"not a number", []string{"-url", url, "-sla", sla, "-max", "lots"}, `invalid value "lots" for flag -max`},
		{"too long", []string{"-url", url, "-sla", "p99.9<1s", "-min", "1", "-max-time", "1m"}, "more than MaxTotal 1m0s"},
		{"extra argument", []string{"-url", url, "-sla", sla, "extra"}, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"capacity"}, c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, exitUsage, c.want)
			}
		})
	}
}

// serialServer serves one request at a time for 4ms each: at most 250
// req/s, so 100 and 200 req/s meet a lenient SLA and 300 and 400 do not.
func serialServer(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Context().Err() == nil {
			time.Sleep(4 * time.Millisecond)
		}
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCapacityCommand(t *testing.T) {
	url := serialServer(t)
	out := filepath.Join(t.TempDir(), "capacity.json")
	html := filepath.Join(t.TempDir(), "capacity.html")
	quick := []string{"-step-duration", "1s", "-warmup", "200ms", "-timeout", "2s", "-sla", "p90<50ms, errors<1%", "-header", "X-Probe: 1"}
	code, stdout, stderr := run(t, append([]string{"capacity", "-url", url, "-min", "100", "-max", "300", "-steps", "3", "-json", out, "-html", html}, quick...)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"capacity 200 req/s: knee between 200 and 300 req/s", "rate  status", "p99", "errors  delivered  saturated",
		"PASS", "FAIL", "p90<50ms fail (observed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		CapacityRPS    *float64 `json:"capacity_rps"`
		GeneratorBound *bool    `json:"generator_bound"`
		Steps          []struct {
			Rate     float64            `json:"rate"`
			Status   sla.Status         `json:"status"`
			Verdicts []sla.Verdict      `json:"verdicts"`
			Result   *loadrunner.Result `json:"result"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.CapacityRPS == nil || *doc.CapacityRPS != 200 || doc.GeneratorBound == nil || *doc.GeneratorBound || len(doc.Steps) != 3 {
		t.Fatalf("JSON: %s", b)
	}
	for _, s := range doc.Steps {
		if len(s.Verdicts) == 0 || s.Result == nil || s.Result.Latency == nil || s.Result.Requests == 0 {
			t.Errorf("step %.0f lacks its verdicts or result", s.Rate)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"capacity 200 req/s", "Capacity: p99 latency against offered rate", "Capacity: error rate against offered rate"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}

	// The capacity JSON renders like any report.
	if code, md, stderr := run(t, "report", "-format", "md", out); code != exitOK || !strings.Contains(md, "capacity") {
		t.Errorf("report -format md of the capacity JSON: exit %d: %s\n%s", code, stderr, md)
	}

	// Even the lowest rate breaks the SLA: exit 1; the JSON goes to stdout
	// and the table to stderr.
	code, stdout, stderr = run(t, append([]string{"capacity", "-url", url, "-min", "400", "-max", "400", "-json", "-"}, quick...)...)
	if code != exitFail || !strings.Contains(stderr, "capacity: none found (fail): knee below 400 req/s") || !strings.Contains(stdout, `"capacity_rps":0`) {
		t.Errorf("failing minimum: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestCapacityCommandGeneratorBound starves the generator at the lowest
// rate: the search cannot tell, exit 3, and says why.
func TestCapacityCommandGeneratorBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	code, stdout, stderr := run(t, "capacity", "-url", srv.URL, "-min", "100", "-max", "100", "-max-inflight", "1",
		"-step-duration", "1s", "-warmup", "0s", "-timeout", "2s", "-sla", "p90<50ms")
	if code != exitInconclusive {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitInconclusive, stdout, stderr)
	}
	for _, want := range []string{"capacity: none found (inconclusive)", "the load generator saturated at the lowest rate", "INCONCLUSIVE", "yes"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
