package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
)

// readmeCommands returns the command lines of the README's sh blocks.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "```sh":
			in = true
		case line == "```":
			in = false
		case in && line != "":
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// splitShell splits a command line into words, honouring double quotes.
func splitShell(line string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// readmeCommand is one README command line, parsed.
type readmeCommand struct {
	line   string
	env    []string
	args   []string // after "go run X"
	tool   string   // ./cmd/slaspec or github.com/onsi/ginkgo/v2/ginkgo
	stdout string   // the file after ">"
}

func parseReadmeCommand(line string, subst func(string) string) readmeCommand {
	c := readmeCommand{line: line}
	words := splitShell(line)
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		c.env = append(c.env, subst(words[0]))
		words = words[1:]
	}
	if len(words) >= 3 && words[0] == "go" && words[1] == "run" {
		c.tool, words = words[2], words[3:]
	} else {
		c.tool, words = strings.Join(words[:min(2, len(words))], " "), nil
	}
	for i := 0; i < len(words); i++ {
		if words[i] == ">" && i+1 < len(words) {
			c.stdout = subst(words[i+1])
			i++
			continue
		}
		c.args = append(c.args, subst(words[i]))
	}
	return c
}

// TestReadmeCommands runs every command of the README, so it cannot rot:
// slaspec commands in-process against a bookstore on loopback (standing in
// for the one at 127.0.0.1:8080), in a scratch directory; ginkgo commands
// for real, limited to the getBook and search specs to keep CI short;
// go test is what CI itself runs.
func TestReadmeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(work, "examples")); err != nil {
		t.Fatal(err)
	}
	url := bookstore(t, false)
	subst := func(s string) string {
		s = strings.ReplaceAll(s, "http://127.0.0.1:8080", url)
		for _, d := range []string{"good", "bad", "pr-report"} {
			s = strings.ReplaceAll(s, "examples/bookstore/sla/"+d+"/", filepath.Join(work, d)+"/")
			if s == "SLASPEC_REPORT_DIR="+d {
				s = "SLASPEC_REPORT_DIR=" + filepath.Join(work, d)
			}
		}
		return s
	}
	var shards []readmeCommand
	ran := 0
	for _, line := range readmeCommands(t) {
		c := parseReadmeCommand(line, subst)
		switch c.tool {
		case "./cmd/slaspec":
			if len(c.args) > 0 && c.args[0] == "attack" && strings.Contains(line, "-shard") {
				shards = append(shards, c)
				continue
			}
			if len(shards) > 0 {
				runShards(t, work, shards)
				shards = nil
			}
			runSlaspec(t, work, c)
		case "github.com/onsi/ginkgo/v2/ginkgo":
			runGinkgo(t, root, work, c)
		case "go test":
			// .ci/run runs it; running it here would recurse.
		case "go get", "go install":
			// TestReadmeFirstSuite follows them in a new module.
		case "cd bench":
			// The harness's full run takes minutes on pinned cores; its own
			// test runs every scenario of it at a low rate.
			runBench(t, root, c)
		default:
			t.Fatalf("README command %q: no test runs it; teach TestReadmeCommands", line)
		}
		ran++
	}
	if ran < 10 {
		t.Fatalf("only %d README commands found", ran)
	}
}

func runSlaspec(t *testing.T, work string, c readmeCommand) {
	t.Helper()
	for _, kv := range c.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	old, _ := os.Getwd()
	if err := os.Chdir(work); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), c.args, &stdout, &stderr)
	want := exitOK
	if len(c.args) > 0 && c.args[0] == "compare" {
		want = exitFail // the README's compare is of the regressed build
	}
	// Where inconclusive specs are skipped (CI's SLASPEC_INCONCLUSIVE=skip: its
	// packages share two cores), an inconclusive command is accepted the same
	// way: it says why, and it is never a pass.
	busy := code == exitInconclusive && os.Getenv("SLASPEC_INCONCLUSIVE") == "skip" && strings.Contains(stdout.String(), "INCONCLUSIVE")
	if code != want && !busy {
		t.Fatalf("README command %q: exit %d, want %d\n%s\n%s", c.line, code, want, stdout.String(), stderr.String())
	}
	if c.stdout != "" {
		if err := os.WriteFile(c.stdout, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runShards runs the README's shard commands at once, as separate workers would.
func runShards(t *testing.T, work string, shards []readmeCommand) {
	t.Helper()
	startAt := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	var wg sync.WaitGroup
	for _, c := range shards {
		for i, a := range c.args {
			c.args[i] = strings.ReplaceAll(a, "2026-11-25T12:00:00Z", startAt)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], c.args...)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "SLASPEC_TEST_MAIN=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("README command %q: %v\n%s", c.line, err, out)
			}
		}()
	}
	wg.Wait()
}

func runGinkgo(t *testing.T, root, work string, c readmeCommand) {
	t.Helper()
	args := append([]string{"run", "github.com/onsi/ginkgo/v2/ginkgo", "--label-filter=getBook || searchBooks"}, c.args...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "SLASPEC_REPORT_DIR="+filepath.Join(work, "main"), "BOOKSTORE_REGRESSED="), c.env...)
	regressed := strings.Contains(c.line, "BOOKSTORE_REGRESSED=1")
	if regressed { // inconclusive is not a pass for the build that must fail
		cmd.Env = append(cmd.Env, "SLASPEC_INCONCLUSIVE=fail")
	}
	// The bookstore's own tests run the same suite with ginkgo, whose
	// compiled binary lives in the suite's folder.
	unlock := testtool.LockSuite(t, filepath.Join(root, "examples", "bookstore", "sla"))
	out, err := cmd.CombinedOutput()
	unlock()
	if (err != nil) != regressed {
		t.Fatalf("README command %q: %v (regressed build: %v)\n%s", c.line, err, regressed, out)
	}
}

// runBench runs the bench module's tests, which drive the harness the README
// command runs through every scenario at a low rate.
func runBench(t *testing.T, root string, c readmeCommand) {
	t.Helper()
	if !strings.Contains(c.line, "go run ./cmd/benchrun") {
		t.Fatalf("README command %q: no test runs it", c.line)
	}
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = filepath.Join(root, "bench")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README command %q: the bench module's tests failed: %v\n%s", c.line, err, out)
	}
}
