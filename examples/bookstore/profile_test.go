package bookstore_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

// listeningLine is what the bookstore prints once it accepts connections.
var listeningLine = regexp.MustCompile(`listening on (http://\S+)`)

// startBookstore builds the bookstore command and runs it as a separate
// process on a free loopback port with args; it returns the service's URL
// and stops the process when the test ends.
func startBookstore(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bookstore")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/bookstore").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		return url
	case <-time.After(30 * time.Second):
		t.Fatal("the bookstore did not say it was listening")
	}
	return ""
}

// TestProfilesNameTheRegression is the check: the regressed build,
// as its own process, profiled over the measured window of a load on each
// regressed operation; its own code that caused the regression is among the
// top three functions outside the standard library, and the files open with
// go tool pprof.
func TestProfilesNameTheRegression(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bookstore")
	}
	url := startBookstore(t, "-regressed")
	const svc = "github.com/slaspec/slaspec/examples/bookstore/service."
	cases := []struct {
		path, kind, want string
		rate             float64
	}{
		{"/search?q=river", "cpu", svc + "(*server).rankQuadratic", 10},
		{"/books", "alloc_space", svc + "(*server).pageByCopying", 20},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			dir := t.TempDir()
			plan := loadrunner.Plan{Rate: c.rate, Duration: 2 * time.Second, Warmup: 500 * time.Millisecond, MaxInFlight: 16}
			res, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(url, loadrunner.GET(c.path)),
				loadrunner.WithProfileSource(pprofsource.Remote(url+"/debug/pprof/", pprofsource.WithDir(dir))))
			if err != nil {
				t.Fatal(err)
			}
			p := res.Profiles
			s := p.CPU
			if c.kind == "alloc_space" {
				s = p.Alloc
			}
			if s == nil || s.Total == 0 {
				t.Fatalf("no %s profile with samples: %+v, warnings %q", c.kind, s, p.Warnings)
			}
			names := make([]string, 0, 3)
			for _, f := range s.TopOwn[:min(3, len(s.TopOwn))] {
				names = append(names, f.Function)
			}
			if !slices.Contains(names, c.want) {
				t.Errorf("%s of GET %s: top three own frames %q, want %s among them", c.kind, c.path, names, c.want)
			}
			top := goToolPprofTop(t, s.File)
			if !strings.Contains(top, c.want) {
				t.Errorf("go tool pprof -top %s does not list %s:\n%s", s.File, c.want, top)
			}
		})
	}
}

// goToolPprofTop runs go tool pprof -top on file.
func goToolPprofTop(t *testing.T, file string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", file).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -top %s: %v\n%s", file, err, out)
	}
	return string(out)
}
