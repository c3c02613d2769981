package loadrunner_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// gomegaFailure runs assert with a real Gomega and returns its failure message.
func gomegaFailure(t *testing.T, assert func(g gomega.Gomega)) string {
	t.Helper()
	var msg string
	g := gomega.NewGomega(func(message string, _ ...int) { msg = message })
	assert(g)
	if msg == "" {
		t.Fatal("the assertion was expected to fail")
	}
	return msg
}

func TestGomegaStringInFailures(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)
	res.Target = "GET http://127.0.0.1:8080/items/1"
	tooSlow := gomega.WithTransform(func(r *loadrunner.Result) time.Duration {
		return r.Latency.Percentile(loadrunner.P99)
	}, gomega.BeNumerically(">", time.Second))
	noErrors := gomega.WithTransform(func(r *loadrunner.Result) uint64 { return r.Errors.Total }, gomega.BeZero())
	cases := []struct {
		name   string
		assert func(g gomega.Gomega)
	}{
		{"Or", func(g gomega.Gomega) { g.Expect(res).To(gomega.Or(tooSlow, noErrors)) }},
		{"Not(And)", func(g gomega.Gomega) {
			g.Expect(res).NotTo(gomega.And(gomega.Not(tooSlow), gomega.Not(gomega.BeNil())))
		}},
		{"BeNil", func(g gomega.Gomega) { g.Expect(res).To(gomega.BeNil()) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := gomegaFailure(t, tc.assert)
			for _, want := range strings.Split(res.GomegaString(), "\n") { // Gomega indents each line
				if !strings.Contains(msg, want) {
					t.Errorf("the failure lacks %q:\n%s", want, msg)
				}
			}
			for _, leak := range []string{"Histogram", "counts", "Timeseries", "HDR"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the failure dumps the struct (%q):\n%s", leak, msg)
				}
			}
			if n := strings.Count(msg, "\n"); n > 12 {
				t.Errorf("the failure has %d lines, want a few:\n%s", n, msg)
			}
		})
	}
}

func TestGomegaStringGolden(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)
	res.Target = "GET http://127.0.0.1:8080/items/1"
	closed := testtool.Result(2, 100, testtool.Uniform, 0, "")
	closed.Plan = loadrunner.Plan{Concurrency: 4, Duration: 2 * time.Second}
	closed.Partial, closed.PartialReason = true, "context canceled"
	var nilRes *loadrunner.Result
	got := strings.Join([]string{res.GomegaString(), closed.GomegaString(), nilRes.GomegaString()}, "\n---\n") + "\n"
	path := filepath.Join("testdata", "gomegastring.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make it with -update)", err)
	}
	if got != string(want) {
		t.Errorf("GomegaString changed (go test -run GomegaStringGolden -update after an intended change):\ngot:\n%s\nwant:\n%s", got, want)
	}
}
