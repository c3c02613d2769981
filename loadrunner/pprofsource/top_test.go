package pprofsource_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

// pprofRow is one line of `go tool pprof -top`.
type pprofRow struct {
	function  string
	flat, cum float64 // percent
}

var topLine = regexp.MustCompile(`^\s*\S+\s+(-?[\d.]+)%\s+-?[\d.]+%\s+\S+\s+(-?[\d.]+)%\s+(.+)$`)

// pprofTop runs `go tool pprof -top` on file with extra flags and parses
// its rows.
func pprofTop(t *testing.T, file string, n int, flags ...string) []pprofRow {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run pprof with")
	}
	args := append([]string{"tool", "pprof", "-top", "-nodefraction=0", "-nodecount=" + strconv.Itoa(n)}, flags...)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, append(args, file)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	var rows []pprofRow
	for line := range strings.Lines(string(out)) {
		m := topLine.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		flat, _ := strconv.ParseFloat(m[1], 64)
		cum, _ := strconv.ParseFloat(m[2], 64)
		rows = append(rows, pprofRow{function: strings.TrimSuffix(m[3], " (inline)"), flat: flat, cum: cum})
	}
	if len(rows) == 0 {
		t.Fatalf("go tool pprof printed no rows:\n%s", out)
	}
	return rows
}

// agree checks that frames list the rows' functions with their shares, in
// their order, to pprof's two decimals.
func agree(t *testing.T, what string, frames []loadrunner.Frame, rows []pprofRow) {
	t.Helper()
	if len(frames) < len(rows) {
		t.Errorf("%s: %d frames, pprof shows %d rows", what, len(frames), len(rows))
		return
	}
	for i, r := range rows {
		f := frames[i]
		if f.Function != r.function || math.Abs(f.Flat*100-r.flat) > 0.006 || math.Abs(f.Cum*100-r.cum) > 0.006 {
			t.Errorf("%s row %d: got %s flat %.2f%% cum %.2f%%, pprof shows %s flat %.2f%% cum %.2f%%",
				what, i, f.Function, f.Flat*100, f.Cum*100, r.function, r.flat, r.cum)
		}
	}
}

// capture profiles this process while the work runs and returns the result.
func capture(t *testing.T, work func()) *loadrunner.Profiles {
	t.Helper()
	dir := t.TempDir()
	plan := loadrunner.Plan{Rate: 50, Duration: time.Second, MaxInFlight: 4}
	target := loadrunner.Func(func(context.Context) error { work(); return nil })
	res, err := loadrunner.Run(t.Context(), plan, target,
		loadrunner.WithProfileSource(pprofsource.InProcess(pprofsource.WithDir(dir), pprofsource.WithTop(1000))))
	if err != nil {
		t.Fatal(err)
	}
	if res.Profiles == nil {
		t.Fatal("no profiles in the result")
	}
	return res.Profiles
}

func TestTopAgreesWithPprof(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof")
	}
	prof := capture(t, func() {
		sink.Add(descend(20, 3_000_000))
		sink.Add(int64(hoard(4)))
	})
	for _, c := range []struct {
		name string
		s    *loadrunner.ProfileSummary
	}{{"cpu", prof.CPU}, {"alloc_space", prof.Alloc}, {"goroutine", prof.Goroutine}} {
		t.Run(c.name, func(t *testing.T) {
			if c.s == nil {
				t.Fatalf("no %s profile; warnings %q", c.name, prof.Warnings)
			}
			const n = 25
			agree(t, "top", c.s.Top, pprofTop(t, c.s.File, n))
			p := parseFile(t, c.s.File)
			hide := "-hide=" + pprofsource.HideRegexp(p)
			agree(t, "top_own_flat", c.s.TopOwnFlat, nonzeroFlat(pprofTop(t, c.s.File, n, hide)))
			agree(t, "top_own", c.s.TopOwn, pprofTop(t, c.s.File, n, hide, "-cum"))
		})
	}
}

// nonzeroFlat keeps the rows with a flat share: TopOwnFlat lists no others.
func nonzeroFlat(rows []pprofRow) []pprofRow {
	var out []pprofRow
	for _, r := range rows {
		if r.flat != 0 {
			out = append(out, r)
		}
	}
	return out
}

func parseFile(t *testing.T, path string) *profile.Profile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}
