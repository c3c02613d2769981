package pprofsource

import "strings"

// stdRoots are the first path elements of the standard library's packages
// (`go list std | cut -d/ -f1 | sort -u`); a test checks the list against
// the toolchain that runs it.
var stdRoots = map[string]bool{
	"archive": true, "bufio": true, "bytes": true, "cmp": true, "compress": true,
	"container": true, "context": true, "crypto": true, "database": true,
	"debug": true, "embed": true, "encoding": true, "errors": true, "expvar": true,
	"flag": true, "fmt": true, "go": true, "hash": true, "html": true, "image": true,
	"index": true, "internal": true, "io": true, "iter": true, "log": true,
	"maps": true, "math": true, "mime": true, "net": true, "os": true, "path": true,
	"plugin": true, "reflect": true, "regexp": true, "runtime": true, "slices": true,
	"sort": true, "strconv": true, "strings": true, "structs": true, "sync": true,
	"syscall": true, "testing": true, "text": true, "time": true, "unicode": true,
	"unique": true, "unsafe": true, "vendor": true, "weak": true,
}

// toolPrefixes are the packages of the load tool, the libraries it runs on
// and the test framework: in an in-process profile they call the service
// (a worker, a spec) or run beside it, and say nothing about it.
var toolPrefixes = []string{
	"github.com/HdrHistogram/hdrhistogram-go",
	"github.com/google/pprof",
	"github.com/getkin/kin-openapi",
	"github.com/slaspec/slaspec/loadrunner",
	"github.com/slaspec/slaspec/contract",
	"github.com/slaspec/slaspec/ginkgo-plugin",
	"github.com/slaspec/slaspec/matchers",
	"github.com/slaspec/slaspec/sla",
	"github.com/slaspec/slaspec/capacity",
	"github.com/slaspec/slaspec/report",
	"github.com/slaspec/slaspec/cmd",
	"github.com/onsi/ginkgo",
	"github.com/onsi/gomega",
}

// packageOf returns the import path of the package a function belongs to,
// from its symbol name: "net/http.(*conn).serve" → "net/http",
// "github.com/a/b.F.func1" → "github.com/a/b", "main.main" → "main". Type
// arguments ("slices.Clone[...]") are ignored.
func packageOf(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i]
	}
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// isStd reports whether fn belongs to the standard library or the runtime,
// including the symbols the compiler and linker generate ("type:.eq.T",
// "gogo") and unsymbolized addresses.
func isStd(fn string) bool {
	if fn == "" || strings.HasPrefix(fn, "type:") || strings.HasPrefix(fn, "go:") || strings.HasPrefix(fn, "0x") {
		return true
	}
	pkg := packageOf(fn)
	if !strings.ContainsAny(fn, "./") {
		return true // a bare assembly or linker symbol
	}
	root, _, _ := strings.Cut(pkg, "/")
	return stdRoots[root]
}

// isTool reports whether fn belongs to the load tool or the test framework.
// Test packages ("…_test") are the user's code, wherever they live.
func isTool(fn string) bool {
	pkg := packageOf(fn)
	if strings.HasSuffix(pkg, "_test") {
		return false
	}
	for _, p := range toolPrefixes {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}

// isOwn reports whether fn is the service's own code: outside the standard
// library, the load tool and the test framework.
func isOwn(fn string) bool { return !isStd(fn) && !isTool(fn) }

// isRuntimeWait reports whether fn is part of how a goroutine waits rather
// than why: the runtime, internal packages, and the runtime hooks of sync
// and net ("sync.runtime_Semacquire", "internal/poll.runtime_pollWait").
func isRuntimeWait(fn string) bool {
	pkg := packageOf(fn)
	if pkg == "runtime" || pkg == "internal" || strings.HasPrefix(pkg, "internal/") || strings.HasPrefix(pkg, "runtime/internal") {
		return true
	}
	return strings.Contains(fn, ".runtime_")
}
