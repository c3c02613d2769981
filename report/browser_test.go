package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/report"
)

// browserNames are the headless browsers the test looks for on PATH.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// consoleLine matches what Chromium logs for a console message or an
// uncaught exception; a page without script should log none.
var consoleLine = regexp.MustCompile(`(?m)^.*(:CONSOLE|Uncaught).*$`)

// installOnce runs the project's browser installer at most once per test
// binary, so `go test ./...` on a fresh machine sets up what it needs.
var installOnce sync.Once

// findBrowser returns a headless browser's path, installing Debian's chromium
// with .ci/install-browser when none is on PATH, or skips the test saying
// why there is none.
func findBrowser(t *testing.T) string {
	t.Helper()
	lookup := func() string {
		for _, name := range browserNames {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return ""
	}
	if p := lookup(); p != "" {
		return p
	}
	installOnce.Do(func() {
		out, err := exec.Command("bash", filepath.Join("..", "..", ".ci", "install-browser")).CombinedOutput()
		t.Logf("install-browser: %v\n%s", err, out)
	})
	if p := lookup(); p != "" {
		return p
	}
	t.Skipf("no headless browser on PATH (looked for %s): run .ci/install-browser to install Debian's chromium; the HTML report is not checked in a browser",
		strings.Join(browserNames, ", "))
	return ""
}

// artifactDir is where the test keeps its screenshot: $SLASPEC_ARTIFACTS
// when set (CI uploads it), else a temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SLASPEC_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifact dir %s: %v", dir, err)
	}
	return dir
}

// runBrowser opens page headless with extra flags and returns its stdout and
// stderr (Chromium's log, console messages included).
func runBrowser(t *testing.T, browser, page string, extra ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=3000", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	args = append(append(args, extra...), "file://"+page)
	cmd := exec.CommandContext(ctx, browser, args...)
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", browser, strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String()
}

func writePage(t *testing.T, dir, name string, d *report.Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHTMLInBrowser(t *testing.T) {
	browser := findBrowser(t)
	d := realDocument(t)
	dir := artifactDir(t)
	page := writePage(t, dir, "sla-report.html", d)

	dom, logs := runBrowser(t, browser, page, "--dump-dom")
	if lines := consoleLine.FindAllString(logs, -1); len(lines) > 0 {
		t.Errorf("the browser logged console messages:\n%s", strings.Join(lines, "\n"))
	}
	secs := sections(dom)
	if len(secs) != len(d.Operations) {
		t.Fatalf("rendered DOM has %d operation sections, want %d", len(secs), len(d.Operations))
	}
	for i, e := range d.Operations {
		id := fmt.Sprintf("op-%d", i+1)
		if got, want := strings.Count(secs[id], "<svg"), expectedCharts(e); got != want {
			t.Errorf("rendered %s (%q) has %d charts, want %d", id, e.Name, got, want)
		}
		if e.Result != nil && !strings.Contains(secs[id], "<polyline") {
			t.Errorf("rendered %s has no plotted series", id)
		}
	}

	shot := filepath.Join(dir, "sla-report.png")
	_, logs = runBrowser(t, browser, page, "--window-size=1280,3000", "--screenshot="+shot)
	if lines := consoleLine.FindAllString(logs, -1); len(lines) > 0 {
		t.Errorf("the browser logged console messages while taking the screenshot:\n%s", strings.Join(lines, "\n"))
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10<<10 {
		t.Errorf("screenshot %s is not a plausible PNG (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot kept at %s", shot)
}

// The console check above is only worth something if it catches errors: a
// page whose script throws, and one that tries to fetch, must be caught.
func TestBrowserCheckCatchesConsoleErrors(t *testing.T) {
	browser := findBrowser(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "bad.html")
	bad := `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>` +
		`<body><img src="https://example.invalid/x.png"></body></html>`
	if err := os.WriteFile(page, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs := runBrowser(t, browser, page, "--dump-dom")
	if !consoleLine.MatchString(logs) {
		t.Errorf("a page that tries to fetch logged no console line the check would catch:\n%s", logs)
	}
}
