package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/report"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden reports in testdata from testdata/document.json")
	updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/document.json from a fresh real run")
)

const fixturePath = "testdata/document.json"

// The golden files pin how each format renders one recorded document (made
// by realDocument and kept as JSON, so the figures do not change from run to
// run). After an intended change, run `go test -run Golden -update` and
// review the diff.
func TestGolden(t *testing.T) {
	if *updateFixture {
		b, err := json.MarshalIndent(realDocument(t), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("fixture: %v (make it with -update-fixture)", err)
	}
	var d report.Document
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("fixture %s: %v", fixturePath, err)
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.write(&b, &d); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden."+goldenExt(r.name))
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden file: %v (make it with -update)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s report differs from %s at line %d (run with -update after an intended change)",
					r.name, golden, firstDiffLine(got, string(want)))
			}
		})
	}
}

func goldenExt(format string) string {
	switch format {
	case "markdown":
		return "md"
	case "junit":
		return "junit.xml"
	}
	return format
}

// firstDiffLine is the 1-based number of the first line where a and b differ.
func firstDiffLine(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}
