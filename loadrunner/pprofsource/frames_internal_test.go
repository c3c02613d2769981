package pprofsource

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestFrameClasses(t *testing.T) {
	cases := []struct {
		fn, pkg   string
		std, tool bool
	}{
		{"net/http.(*conn).serve", "net/http", true, false},
		{"runtime.gopark", "runtime", true, false},
		{"internal/poll.runtime_pollWait", "internal/poll", true, false},
		{"slices.Clone[...]", "slices", true, false},
		{"slices.SortFunc[go.shape.[]github.com/x/y.T,go.shape.struct {}]", "slices", true, false},
		{"type:.eq.[2]interface {}", "type:", true, false},
		{"gogo", "gogo", true, false},
		{"0x4a2b10", "0x4a2b10", true, false},
		{"vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", "vendor/golang.org/x/net/http2/hpack", true, false},
		{"main.main", "main", false, false},
		{"bookstore/service.rank", "bookstore/service", false, false},
		{"github.com/slaspec/slaspec/examples/bookstore/service.(*server).rankQuadratic", "github.com/slaspec/slaspec/examples/bookstore/service", false, false},
		{"github.com/slaspec/slaspec/examples/bookstore/service.(*server).handle.func1", "github.com/slaspec/slaspec/examples/bookstore/service", false, false},
		{"golang.org/x/net/http2.(*Framer).ReadFrame", "golang.org/x/net/http2", false, false},
		{"github.com/slaspec/slaspec/loadrunner.(*runner).worker", "github.com/slaspec/slaspec/loadrunner", false, true},
		{"github.com/slaspec/slaspec/loadrunner/gcsource.InProcess", "github.com/slaspec/slaspec/loadrunner/gcsource", false, true},
		{"github.com/slaspec/slaspec/loadrunner_test.TestRun", "github.com/slaspec/slaspec/loadrunner_test", false, false},
		{"github.com/slaspec/slaspec/loadrunnerx.F", "github.com/slaspec/slaspec/loadrunnerx", false, false},
		{"github.com/onsi/ginkgo/v2/internal.(*Suite).runNode", "github.com/onsi/ginkgo/v2/internal", false, true},
		{"github.com/HdrHistogram/hdrhistogram-go.(*Histogram).RecordValue", "github.com/HdrHistogram/hdrhistogram-go", false, true},
	}
	for _, c := range cases {
		if got := packageOf(c.fn); got != c.pkg {
			t.Errorf("packageOf(%q) = %q, want %q", c.fn, got, c.pkg)
		}
		if got := isStd(c.fn); got != c.std {
			t.Errorf("isStd(%q) = %v, want %v", c.fn, got, c.std)
		}
		if got := isTool(c.fn); got != c.tool {
			t.Errorf("isTool(%q) = %v, want %v", c.fn, got, c.tool)
		}
		if got := isOwn(c.fn); got != (!c.std && !c.tool) {
			t.Errorf("isOwn(%q) = %v", c.fn, got)
		}
	}
}

// TestStdRootsMatchTheToolchain checks the list of standard-library roots
// against `go list std`, when a go command is at hand.
func TestStdRootsMatchTheToolchain(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "list", "std").Output()
	if err != nil {
		t.Skipf("go list std: %v", err)
	}
	for pkg := range strings.Lines(string(out)) {
		root, _, _ := strings.Cut(strings.TrimSpace(pkg), "/")
		if !stdRoots[root] {
			t.Errorf("standard package %s: root %q is not in stdRoots", strings.TrimSpace(pkg), root)
		}
	}
}
