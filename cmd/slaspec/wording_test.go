package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/report"
)

// TestCountsAreSingularForOne: "1 operation", "1 file", "1 entry" — not
// "1 operations".
func TestCountsAreSingularForOne(t *testing.T) {
	code, stdout, stderr := run(t, "contract", "-spec", bookstoreDoc, "-url", bookstore(t, false), "-op", "getBook", "-allow-inconclusive",
		"-rate", "20", "-duration", "300ms", "-warmup", "0s", "-seed", "1")
	if code == exitUsage || !strings.Contains(stdout, ": 1 operation, seed 1\n") {
		t.Errorf("contract of one operation: exit %d\n%s\n%s", code, stdout, stderr)
	}

	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	b, err := testtool.Result(1, 100, testtool.Uniform, 0, "").MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, b, 0o644)
	code, stdout, stderr = run(t, "merge", out, in)
	if code != exitOK || !strings.Contains(stdout, "merged 1 file into "+out+": 1 entry (") {
		t.Errorf("merge of one file: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestFindingWithoutPointer: a finding about the status line or headers
// (no JSON pointer) prints without a stray space; one in the body says
// where.
func TestFindingWithoutPointer(t *testing.T) {
	var b bytes.Buffer
	printEntry(&b, report.Entry{Name: "GET /a", OperationID: "a", Findings: []report.Finding{
		{Count: 3, Status: 501, Reason: "status 501 is not declared"},
		{Count: 2, Status: 200, Pointer: "/price", Reason: "body schema: value must be a number"},
	}})
	for _, want := range []string{"finding  3× status 501: status 501 is not declared\n", "finding  2× status 200 at /price: body schema"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
