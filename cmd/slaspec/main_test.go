package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
)

// run runs the CLI in-process and returns its exit code and outputs.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	code, _, stderr := run(t)
	if code != exitUsage || !strings.Contains(stderr, "attack") || !strings.Contains(stderr, "check") {
		t.Fatalf("no arguments: exit %d, usage %q", code, stderr)
	}
	if code, _, stderr = run(t, "bogus"); code != exitUsage || !strings.Contains(stderr, `unknown command "bogus"`) {
		t.Fatalf("unknown command: exit %d, %q", code, stderr)
	}
}

func TestAttackBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "-url is required"},
		{[]string{"-url", "http://127.0.0.1:1/", "-rate", "-5"}, "rate"},
		{[]string{"-url", "http://127.0.0.1:1/", "-duration", "0s"}, "duration"},
		{[]string{"-url", "http://127.0.0.1:1/", "-rate", "abc"}, `invalid value "abc" for flag -rate`},
		{[]string{"-url", "ftp://x/"}, "-url"},
		{[]string{"-url", "http://127.0.0.1:1/", "-header", "novalue"}, `header "novalue": want Name: value`},
		{[]string{"-url", "http://127.0.0.1:1/", "-body", "no-such-file"}, "-body: open no-such-file"},
		{[]string{"-url", "http://127.0.0.1:1/", "-sla", "p99<abc"}, `-sla: budget "p99<abc" at column 1`},
		{[]string{"-url", "http://127.0.0.1:1/", "-gc-source", "nope"}, `-gc-source: "nope" is not an http(s) URL`},
		{[]string{"-demo", "-url", "http://127.0.0.1:1/"}, "-demo starts its own service"},
		{[]string{"-url", "http://127.0.0.1:1/", "extra"}, `unexpected argument "extra"`},
		{[]string{"-url", "http://127.0.0.1:1/", "-shard", "3/3"}, `-shard: shard "3/3": want i/n`},
		{[]string{"-url", "http://127.0.0.1:1/", "-start-at", "noon"}, "want an RFC 3339 instant"},
		{[]string{"-url", "http://127.0.0.1:1/", "-start-at", "2020-01-01T00:00:00Z"}, "in the past: every send would be too late"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"attack"}, c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, c.want)
			}
		})
	}
}

func TestAttackDemoWritesResultAndSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result.json")
	code, stdout, stderr := run(t, "attack", "-demo", "-rate", "200", "-duration", "1s", "-json", out, "-sla", "p90<1s, errors==0")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"SLA met: p90<1s, errors==0", "PASS", "p99.99", "latency", "errors     0 of 200"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res loadrunner.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("result JSON: %v", err)
	}
	if res.Requests != 200 || res.Latency.Count() != 200 {
		t.Fatalf("result has %d requests, %d latencies; want 200", res.Requests, res.Latency.Count())
	}
	// The saved result judged again by check gives the same verdicts.
	if code, stdout, _ := run(t, "check", "-sla", "p90<1s, errors==0", out); code != exitOK || !strings.Contains(stdout, "SLA met") {
		t.Fatalf("check of the saved result: exit %d\n%s", code, stdout)
	}
	// A result without an SLA of its own is judged by the service error
	// budgets: its failed requests are never evidence of health.
	if code, stdout, _ := run(t, "check", out); code != exitOK || !strings.Contains(stdout, "errors.transport<1%") {
		t.Fatalf("check of a result without an SLA: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := run(t, "check", "-sla", "max<1ns", out); code != exitFail || !strings.Contains(stdout, "FAIL") {
		t.Fatalf("check of a failing budget: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := run(t, "check", "-sla", "p99.9<1s", out); code != exitInconclusive || !strings.Contains(stdout, "needs at least 10000") {
		t.Fatalf("check of an inconclusive budget: exit %d\n%s", code, stdout)
	}
}

func TestAttackAgainstFailingServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Token") != "secret" || r.Method != http.MethodPost {
			http.Error(w, "nope", http.StatusForbidden)
			return
		}
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer srv.Close()
	body := filepath.Join(t.TempDir(), "body.json")
	os.WriteFile(body, []byte(`{"a":1}`), 0o644)
	code, stdout, _ := run(t, "attack", "-url", srv.URL, "-method", "post", "-header", "X-Token: secret", "-body", body,
		"-rate", "100", "-duration", "1s", "-sla", "errors<1%", "-json", "-")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stdout)
	}
	var res loadrunner.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("-json - must print only the JSON result on stdout: %v", err)
	}
	if res.Errors.ByClass[loadrunner.Class5xx] != res.Requests || res.Requests != 100 {
		t.Fatalf("errors %v of %d requests; want every one http.5xx", res.Errors.ByClass, res.Requests)
	}
}

func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"latency": 12`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-sla", "p99<1s"}, "usage: slaspec check"},
		{[]string{bad}, "bad.json"},
		{[]string{"-sla", "p99<", "x.json"}, "missing limit"},
		{[]string{"-sla", "p99<1s", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"-sla", "p99<1s", bad}, "bad.json"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, append([]string{"check"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("check %v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}
