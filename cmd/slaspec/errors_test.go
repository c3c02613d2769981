package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const securedSpec = "../../contract/testdata/specs/oapi-codegen__authenticated-api.yaml"

// TestMissingCredentialsNameTheFlag: a document whose security schemes need
// credentials the command line did not give is refused before anything is
// sent (exit 2, no JSON written), naming -auth and the scheme; with -auth
// the run goes ahead and its JSON holds its operations.
func TestMissingCredentialsNameTheFlag(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	out := filepath.Join(t.TempDir(), "contract.json")
	args := []string{"contract", "-spec", securedSpec, "-url", srv.URL, "-op", "listThings", "-rate", "20", "-duration", "500ms", "-warmup", "0s", "-json", out}

	code, stdout, stderr := run(t, args...)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitUsage, stdout, stderr)
	}
	for _, want := range []string{"slaspec contract: the document's security schemes need credentials", "-auth bearer:TOKEN (scheme BearerAuth): GET /things", "nothing was sent"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "WithBearer") {
		t.Errorf("the command line names a Go option:\n%s", stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) || hits.Load() != 0 {
		t.Errorf("refused, yet %d requests were sent and the JSON exists (%v)", hits.Load(), err)
	}

	code, stdout, stderr = run(t, append(args, "-auth", "bearer:t0ken")...)
	if code == exitUsage || hits.Load() == 0 {
		t.Fatalf("with -auth: exit %d, %d requests\n%s\n%s", code, hits.Load(), stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Operations []json.RawMessage `json:"operations"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Operations) != 1 {
		t.Errorf("JSON with %d operations (%v):\n%s", len(doc.Operations), err, b)
	}
}

// TestErrorsDoNotStutter: the command's prefix is not followed by the
// library's own ("slaspec contract: contract: load:").
func TestErrorsDoNotStutter(t *testing.T) {
	dir := t.TempDir()
	unknownKey := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknownKey, []byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      operationId: a\n      x-sla: {p99: 1s}\n      responses: {\"200\": {description: ok}}\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"contract", "-spec", filepath.Join(dir, "nosuch.yaml"), "-url", "http://127.0.0.1:1"}, "slaspec contract: load: "},
		{[]string{"contract", "-spec", unknownKey, "-url", "http://127.0.0.1:1"}, "slaspec contract: operation GET /a (a): paths./a.get.x-sla.p99: unknown key"},
		{[]string{"gen", "-spec", filepath.Join(dir, "nosuch.yaml")}, "slaspec gen: load: "},
		{[]string{"check", filepath.Join(dir, "nosuch.json")}, "slaspec check: open "},
		{[]string{"attack", "-url", "ftp://x"}, "slaspec attack: -url: http: base url"},
		{[]string{"attack", "-url", "http://127.0.0.1:1", "-sla", "p99<"}, "slaspec attack: -sla: budget \"p99<\""},
		{[]string{"capacity", "-url", "http://127.0.0.1:1", "-sla", "p99<1s", "-min", "0"}, "slaspec capacity: Min 0 req/s"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != exitUsage || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
		for _, p := range libraryPrefixes {
			if strings.Contains(stderr, ": "+p+": ") {
				t.Errorf("%v: %q stutters with %q", c.args, stderr, p)
			}
		}
	}
}
