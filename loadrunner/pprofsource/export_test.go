package pprofsource

import (
	"regexp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// HideRegexp returns, for `go tool pprof -hide`, a regular expression
// matching exactly the functions of p that the TopOwn lists leave out.
func HideRegexp(p *profile.Profile) string {
	var names []string
	for _, f := range p.Function {
		if !isOwn(f.Name) && !slices.Contains(names, f.Name) {
			names = append(names, regexp.QuoteMeta(f.Name))
		}
	}
	return `^(` + strings.Join(names, "|") + `)$`
}

// StdRoots returns the first path elements the source counts as the
// standard library.
func StdRoots() []string {
	out := make([]string, 0, len(stdRoots))
	for r := range stdRoots {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// Decode is decode, for the tests.
func Decode(data []byte, maxSize int64) (*profile.Profile, error) { return decode(data, maxSize) }

// Summarize is summarize, for the tests.
func Summarize(p *profile.Profile, si, n int) *loadrunner.ProfileSummary { return summarize(p, si, n) }
