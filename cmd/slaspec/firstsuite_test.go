package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlock returns the first fenced block of the README in language lang
// that contains marker.
func readmeBlock(t *testing.T, lang, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)\n```")
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		if strings.Contains(m[1], marker) {
			return m[1] + "\n"
		}
	}
	t.Fatalf("README has no %s block with %q", lang, marker)
	return ""
}

// TestReadmeFirstSuite follows the README's first steps in a new module:
// go get (a replace directive to this checkout standing in for the
// published module), the first suite saved beside an OpenAPI document,
// go mod tidy, go vet, and go test, which runs the suite (every spec skips,
// asking for SLASPEC_TARGET_URL); go install is a go build of the command
// from that module.
func TestReadmeFirstSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new module")
	}
	install := readmeBlock(t, "sh", "go get github.com/slaspec/slaspec@latest")
	if !strings.Contains(install, "go install github.com/slaspec/slaspec/cmd/slaspec@latest") {
		t.Fatalf("README's install block lacks go install:\n%s", install)
	}
	suite := readmeBlock(t, "go", "DescribeContract(")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/orders\n\ngo 1.26\n\nrequire github.com/slaspec/slaspec v0.0.0\n\nreplace github.com/slaspec/slaspec => " + root + "\n"
	doc, err := os.ReadFile(bookstoreDoc)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"go.mod": goMod, "sla_test.go": suite, "openapi.yaml": string(doc)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := [][]string{
		// -e: offline, tidy cannot fetch the test-only dependencies of
		// dependencies (ginkgo's own tests' modules), which a fresh module
		// cache lacks and nothing here builds; with the network, as the
		// README's reader has it, plain tidy fetches them.
		{"go", "mod", "tidy", "-e"},
		{"go", "vet", "./..."},
		{"go", "test", "-count=1", "./..."},
		{"go", "build", "-o", filepath.Join(dir, "slaspec"), "github.com/slaspec/slaspec/cmd/slaspec"},
	}
	for _, step := range steps {
		cmd := exec.Command(step[0], step[1:]...)
		cmd.Dir = dir
		// Offline: every module the suite needs is in the module cache
		// already, as this module's own dependencies.
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOFLAGS=-mod=mod", "SLASPEC_TARGET_URL=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s\nsla_test.go:\n%s", strings.Join(step, " "), err, out, suite)
		}
	}
	if out, err := exec.Command(filepath.Join(dir, "slaspec"), "contract", "-h").CombinedOutput(); !strings.Contains(string(out), "usage: slaspec contract") {
		t.Errorf("the installed command: %v\n%s", err, out)
	}
}
