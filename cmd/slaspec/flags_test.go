package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestHelpShowsEveryDefault: -h of every subcommand gives each flag's
// default, zero values included, or says the flag is required.
func TestHelpShowsEveryDefault(t *testing.T) {
	specific := map[string][]string{
		"attack":   {"-warmup duration\n    \twarm-up run before the measured window, excluded from statistics (default 0s)", "(default 50)", `(default "GET")`},
		"capacity": {"(default 1s)", "(default 0s)"},
		"contract": {"0s for none (default: x-sla's, else 1s)", "(default: x-sla's, else 50 req/s)", "(default: a random one, printed"},
		"gen":      {"-warmup duration\n    \twarm-up of operations whose x-sla sets none (default 0s)"},
	}
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			_, _, stderr := run(t, name, "-h")
			if !strings.HasPrefix(stderr, "usage: slaspec "+name) {
				t.Fatalf("-h does not start with the usage line:\n%s", stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			for i, line := range lines {
				if !strings.HasPrefix(line, "  -") {
					continue
				}
				if i+1 == len(lines) || !strings.Contains(lines[i+1], "default") && !strings.Contains(lines[i+1], "required") {
					t.Errorf("flag %s shows no default:\n%s", strings.TrimSpace(line), stderr)
				}
			}
			for _, want := range specific[name] {
				if !strings.Contains(stderr, want) {
					t.Errorf("-h lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestExplicitZeroWarmupIsHonoured: -warmup 0s runs no warm-up in every
// subcommand that loads, also where the document's x-sla sets one (the
// bookstore's top-level x-sla says warmup: 1s).
func TestExplicitZeroWarmupIsHonoured(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	t.Cleanup(srv.Close)
	store := bookstore(t, false)
	dir := t.TempDir()
	planned := func(t *testing.T, path string) []time.Duration {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Result     *loadrunner.Result `json:"result"`
			Operations []struct {
				Result *loadrunner.Result `json:"result"`
			} `json:"operations"`
			Steps []struct {
				Result *loadrunner.Result `json:"result"`
			} `json:"steps"`
			Plan *loadrunner.Plan `json:"plan"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		var got []time.Duration
		if doc.Plan != nil {
			got = append(got, doc.Plan.Warmup)
		}
		for _, o := range doc.Operations {
			got = append(got, o.Result.Plan.Warmup)
		}
		for _, s := range doc.Steps {
			got = append(got, s.Result.Plan.Warmup)
		}
		return got
	}
	cases := []struct {
		name string
		args []string
		want time.Duration
	}{
		{"attack", []string{"attack", "-url", srv.URL, "-rate", "50", "-duration", "300ms", "-warmup", "0s"}, 0},
		{"contract", []string{"contract", "-spec", bookstoreDoc, "-url", store, "-op", "getBook", "-allow-inconclusive", "-rate", "50", "-duration", "300ms", "-warmup", "0s"}, 0},
		{"contract without -warmup", []string{"contract", "-spec", bookstoreDoc, "-url", store, "-op", "getBook", "-allow-inconclusive", "-rate", "50", "-duration", "300ms"}, time.Second},
		{"capacity", []string{"capacity", "-url", srv.URL, "-sla", "errors<50%", "-min", "20", "-max", "40", "-steps", "2", "-step-duration", "300ms", "-warmup", "0s"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
			code, stdout, stderr := run(t, append(c.args, "-json", out)...)
			if code == exitUsage {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			got := planned(t, out)
			if len(got) == 0 {
				t.Fatalf("no plan in the JSON\n%s", stdout)
			}
			for _, w := range got {
				if w != c.want {
					t.Errorf("warm-up %s, want %s", w, c.want)
				}
			}
		})
	}

	doc := filepath.Join(dir, "doc.yaml")
	os.WriteFile(doc, []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {\"200\": {description: ok}}\n"), 0o644)
	for args, want := range map[string]string{"0s": "NoWarmup: true", "2s": "Warmup: 2 * time.Second"} {
		if code, src, stderr := run(t, "gen", "-spec", doc, "-warmup", args); code != exitOK || !strings.Contains(src, want) {
			t.Errorf("gen -warmup %s: exit %d, the suite lacks %q: %s\n%s", args, code, want, stderr, src)
		}
	}
}
