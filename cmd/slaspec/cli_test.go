package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/examples/bookstore/service"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
)

const bookstoreDoc = "../../examples/bookstore/openapi.yaml"

func bookstore(t *testing.T, regressed bool) string {
	t.Helper()
	srv := httptest.NewServer(service.New(service.Options{Regressed: regressed}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestContractCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "contract.json")
	code, stdout, stderr := run(t, "contract", "-spec", bookstoreDoc, "-url", bookstore(t, false),
		"-op", "getBook,listBooks", "-rate", "200", "-duration", "1s", "-warmup", "0s", "-sla", "p90<1s, errors<1%", "-seed", "7", "-json", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"seed 7", "GET /books/{id} (getBook) PASS", "GET /books (listBooks) PASS", "errors.contract==0", "2xx observed", "200 application/json ×", "404 application/json never"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Seed       int64 `json:"seed"`
		Operations []struct {
			OperationID string             `json:"operation_id"`
			Method      string             `json:"method"`
			Path        string             `json:"path"`
			SLA         string             `json:"sla"`
			Verdicts    []json.RawMessage  `json:"verdicts"`
			Result      *loadrunner.Result `json:"result"`
			Coverage    *contract.Coverage `json:"coverage"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Seed != 7 || len(doc.Operations) != 2 {
		t.Fatalf("seed %d, %d operations", doc.Seed, len(doc.Operations))
	}
	for _, op := range doc.Operations {
		if op.OperationID == "" || op.Method != "GET" || op.SLA != "p90<1s, errors<1%, errors.contract==0" || len(op.Verdicts) != 5 || op.Result.Requests != 200 {
			t.Errorf("operation %+v", op)
		}
		if op.Coverage == nil || op.Coverage.Total < 200 || op.Coverage.Successes() == 0 {
			t.Errorf("operation %+v", op)
		}
	}

	// The same JSON renders in every format.
	for format, want := range map[string]string{"md": "GET /books/{id}", "html": "<svg", "junit": "<testsuite", "json": `"operations"`} {
		code, stdout, stderr := run(t, "report", "-format", format, out)
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("report -format %s: exit %d, lacks %q: %s", format, code, want, stderr)
		}
	}
	if code, _, stderr := run(t, "report", "-format", "pdf", out); code != exitUsage || !strings.Contains(stderr, `unknown format "pdf"`) {
		t.Errorf("report -format pdf: exit %d, %s", code, stderr)
	}
}

func TestContractCommandCatchesTheRegressedBuild(t *testing.T) {
	code, stdout, _ := run(t, "contract", "-spec", bookstoreDoc, "-url", bookstore(t, true),
		"-op", "getBook", "-rate", "100", "-duration", "1s", "-warmup", "0s", "-sla", "p90<1s")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stdout)
	}
	for _, want := range []string{"GET /books/{id} (getBook) FAIL", "errors.contract==0", "/price", "status 200"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestContractCommandBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-url", "http://127.0.0.1:1"}, "-spec is required"},
		{[]string{"-spec", bookstoreDoc}, "-url is required"},
		{[]string{"-spec", "no-such.yaml", "-url", "http://127.0.0.1:1"}, "no-such.yaml"},
		{[]string{"-spec", bookstoreDoc, "-url", "http://127.0.0.1:1", "-sla", "p99<"}, "-sla: budget"},
		{[]string{"-spec", bookstoreDoc, "-url", "http://127.0.0.1:1", "-auth", "magic:x"}, `unknown kind "magic"`},
		{[]string{"-spec", bookstoreDoc, "-url", "http://127.0.0.1:1", "-rate", "-1"}, "rate"},
		{[]string{"-spec", bookstoreDoc, "-url", "http://127.0.0.1:1", "-op", "noSuchOperation"}, "noSuchOperation"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, append([]string{"contract"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("contract %v: exit %d, %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

// TestGeneratedSuiteCompilesAndRuns generates a suite for the bookstore,
// writes it into the module, and runs it with go test against a bookstore
// (one operation, chosen by label, with the document's lenient default
// budget, so a noisy machine cannot fail it).
func TestGeneratedSuiteCompilesAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs a generated suite")
	}
	code, src, stderr := run(t, "gen", "-spec", bookstoreDoc, "-package", "gensuite_test", "-doc-path", "../../"+bookstoreDoc)
	if code != exitOK {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	for _, want := range []string{`Describe("GET /books/{id}", Label("books", "getBook"), Serial`, `SLA: sla.MustParse("p99<50ms, errors<0.1%")`, "Rate: 250", "4 * time.Second"} {
		if !strings.Contains(src, want) {
			t.Errorf("generated suite lacks %q", want)
		}
	}
	dir := filepath.Join("testdata", "gensuite")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "sla_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	cmd := exec.Command("go", "test", "-count=1", "./testdata/gensuite", "-args", "-ginkgo.label-filter=deleteBook")
	cmd.Env = append(os.Environ(), "SLASPEC_TARGET_URL="+bookstore(t, false), "SLASPEC_REPORT_DIR="+reports)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the generated suite failed: %v\n%s", err, out)
	}
	doc, err := report.ReadDocument(filepath.Join(reports, "sla-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Operations) != 1 || doc.Operations[0].OperationID != "deleteBook" || doc.Operations[0].Result.Requests != 200 {
		t.Fatalf("report of the generated suite: %+v", doc.Operations)
	}
}

func TestGenBadInput(t *testing.T) {
	if code, _, stderr := run(t, "gen", "-spec", bookstoreDoc, "-package", "not-a-name"); code != exitUsage || !strings.Contains(stderr, "not a Go identifier") {
		t.Errorf("gen -package not-a-name: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, "gen"); code != exitUsage || !strings.Contains(stderr, "-spec is required") {
		t.Errorf("gen without -spec: exit %d, %s", code, stderr)
	}
}

// TestShardsMergeIntoTheFullRun runs three slaspec attack processes, each
// with a third of the schedule and a common start instant, merges their
// results, and compares the merge with one process at the full rate.
func TestShardsMergeIntoTheFullRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several processes")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	start := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "attack", "-url", srv.URL, "-rate", "300", "-duration", "2s", "-q",
				"-shard", strconv.Itoa(i)+"/3", "-start-at", start, "-json", filepath.Join(dir, "shard-"+strconv.Itoa(i)+".json"))
			cmd.Env = append(os.Environ(), "SLASPEC_TEST_MAIN=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = err
				t.Logf("shard %d: %s", i, out)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	merged := filepath.Join(dir, "merged.json")
	shards, _ := filepath.Glob(filepath.Join(dir, "shard-*.json"))
	if code, stdout, stderr := run(t, append([]string{"merge", merged}, shards...)...); code != exitOK {
		t.Fatalf("merge: exit %d\n%s%s", code, stdout, stderr)
	}
	full := filepath.Join(dir, "full.json")
	if code, _, stderr := run(t, "attack", "-url", srv.URL, "-rate", "300", "-duration", "2s", "-q", "-json", full); code != exitOK {
		t.Fatalf("full run: exit %d: %s", code, stderr)
	}
	m, err := report.ReadDocument(merged)
	if err != nil {
		t.Fatal(err)
	}
	f, err := report.ReadDocument(full)
	if err != nil {
		t.Fatal(err)
	}
	mr, fr := m.Operations[0].Result, f.Operations[0].Result
	if mr.Requests != 600 || fr.Requests != 600 || mr.Merged != 3 || mr.Plan.Shard.Count != 0 {
		t.Fatalf("merged %d requests from %d results (plan shard %+v), full %d", mr.Requests, mr.Merged, mr.Plan.Shard, fr.Requests)
	}
	if len(mr.Timeseries) > 4 {
		t.Errorf("the shards' time series did not align by wall clock: %d intervals for a 2s run", len(mr.Timeseries))
	}
	// The merge is the distribution of all the shards' samples: each of its
	// percentiles lies between the shards' own (a comparison with the full
	// run, made at another moment of a shared machine, could not hold).
	for _, q := range []float64{50, 90} {
		lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
		for _, path := range shards {
			d, err := report.ReadDocument(path)
			if err != nil {
				t.Fatal(err)
			}
			p := d.Operations[0].Result.Latency.Percentile(q)
			lo, hi = min(lo, p), max(hi, p)
		}
		if got := mr.Latency.Percentile(q); got < lo || got > hi {
			t.Errorf("p%g: merged %s outside the shards' %s–%s", q, got, lo, hi)
		}
	}
	// check and compare work on the merge.
	if code, stdout, _ := run(t, "check", "-sla", "p90<1s, errors==0", merged); code != exitOK {
		t.Errorf("check of the merge: exit %d\n%s", code, stdout)
	}
	// compare reads the merge. Two runs at different moments of a shared
	// machine can differ beyond any threshold, so only its working is
	// asserted: a table of the operation's percentiles, exit 0 or 1.
	if code, stdout, _ := run(t, "compare", "-baseline", full, "-max-regression", "100%", merged); (code != exitOK && code != exitFail) || !strings.Contains(stdout, "p90") {
		t.Errorf("compare of the merge: exit %d\n%s", code, stdout)
	}
}

func TestMergeAndCompareBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte(`{"hello": 1}`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"merge", "out.json"}, "usage: slaspec merge"},
		{[]string{"merge", garbage, garbage}, "is also an input"},
		{[]string{"merge", filepath.Join(dir, "o.json"), garbage, garbage}, "neither a report"},
		{[]string{"compare", garbage}, "usage: slaspec compare"},
		{[]string{"compare", "-baseline", garbage, "-max-regression", "lots", garbage}, `-max-regression "lots"`},
		{[]string{"compare", "-baseline", garbage, garbage}, "neither a report"},
		{[]string{"report"}, "usage: slaspec report"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

func TestContractMix(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mix.json")
	code, stdout, stderr := run(t, "contract", "-mix", "-spec", bookstoreDoc, "-url", bookstore(t, false),
		"-op", "getBook,searchBooks,listBooks", "-rate", "200", "-duration", "2s", "-warmup", "0s", "-sla", "p50<1s, errors<1%", "-json", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	doc, err := report.ReadDocument(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Operations) != 4 {
		t.Fatalf("%d entries, want the mix and its 3 operations", len(doc.Operations))
	}
	var whole *loadrunner.Result
	counts := map[string]uint64{}
	for _, e := range doc.Operations {
		if e.OperationID == "" {
			whole = e.Result
			continue
		}
		counts[e.OperationID] = e.Result.Requests
		if e.Status != "pass" {
			t.Errorf("%s: %s", e.Name, e.Status)
		}
	}
	// Weights 6:2:2 of 400 requests.
	if whole == nil || whole.Requests != 400 || counts["getBook"] != 240 || counts["searchBooks"] != 80 || counts["listBooks"] != 80 {
		t.Fatalf("mix counts %v of %v", counts, whole)
	}
}
