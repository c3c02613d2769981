package contract

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// DefaultMaxFindings bounds the distinct findings a Findings keeps.
const DefaultMaxFindings = 100

// Kind is the kind of a contract violation.
type Kind string

// The kinds of contract violation the checker reports.
const (
	KindStatus      Kind = "undeclared status"
	KindContentType Kind = "undeclared content type"
	KindHeader      Kind = "header"
	KindDecode      Kind = "undecodable body"
	KindBody        Kind = "body schema"
)

// Finding is one kind of contract violation with the number of responses
// that showed it. Array indices in Pointer are replaced by "*" so that the
// same violation in every item counts once per response.
type Finding struct {
	OperationID string `json:"operation_id"`
	Status      int    `json:"status"`
	Kind        Kind   `json:"kind"`
	Pointer     string `json:"pointer,omitempty"`
	Reason      string `json:"reason"`
	Count       int64  `json:"count"`
}

// String renders the finding on one line.
func (f Finding) String() string {
	e := ContractError{OperationID: f.OperationID, Status: f.Status, Kind: f.Kind, Pointer: f.Pointer, Reason: f.Reason}
	return fmt.Sprintf("%s (×%d)", e.Error(), f.Count)
}

// CheckStats counts what a checker did with the responses it saw.
type CheckStats struct {
	// Responses is every response the checker was given.
	Responses int64 `json:"responses"`
	// Checked is the responses validated; Responses - Checked were skipped
	// by the sampling policy.
	Checked int64 `json:"checked"`
	// Failed is the checked responses that broke the contract.
	Failed int64 `json:"failed"`
	// CheckTime is the wall time spent validating, so that the checker's
	// own cost is reported apart from the service's.
	CheckTime time.Duration `json:"check_time"`
	// Unchecked is the responses the sampling policy selected but that
	// were not checked: the checker was busy with other bodies (it
	// validates a bounded number of bytes at once) until the request's
	// deadline or the end of the run. They pass unchecked.
	Unchecked int64 `json:"unchecked,omitempty"`
}

// Findings collects contract violations deduplicated by operation, status,
// kind, pointer and reason, with counts. It keeps at most its bound of
// distinct findings and counts the rest as dropped. It is safe for
// concurrent use; the zero value is not usable, use NewFindings. Pointers
// and reasons are recorded with secrets redacted (with the redactor of the
// target that checks, see Operation.Target).
type Findings struct {
	mu      sync.Mutex
	red     *loadrunner.Redactor
	max     int
	byKey   map[Finding]*Finding
	order   []*Finding
	dropped int64
	stats   CheckStats
}

// NewFindings returns an empty collector keeping at most max distinct
// findings (DefaultMaxFindings when max ≤ 0).
func NewFindings(max int) *Findings {
	if max <= 0 {
		max = DefaultMaxFindings
	}
	return &Findings{max: max, byKey: map[Finding]*Finding{}}
}

// add counts one violation.
func (f *Findings) add(e ContractError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := Finding{OperationID: e.OperationID, Status: e.Status, Kind: e.Kind,
		Pointer: f.red.String(starIndices(e.Pointer)), Reason: f.red.String(e.Reason)}
	if x, ok := f.byKey[key]; ok {
		x.Count++
		return
	}
	if len(f.order) >= f.max {
		f.dropped++
		return
	}
	x := key
	x.Count = 1
	f.byKey[key] = &x
	f.order = append(f.order, &x)
}

// record adds one response's outcome to the statistics.
func (f *Findings) record(checked, failed bool, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats.Responses++
	if checked {
		f.stats.Checked++
		f.stats.CheckTime += d
	}
	if failed {
		f.stats.Failed++
	}
}

// recordUnchecked counts a response the checker had no room for.
func (f *Findings) recordUnchecked() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats.Responses++
	f.stats.Unchecked++
}

// List returns the findings, most frequent first.
func (f *Findings) List() []Finding {
	f.mu.Lock()
	out := make([]Finding, len(f.order))
	for i, x := range f.order {
		out[i] = *x
	}
	f.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Finding) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.String(), b.String())
	})
	return out
}

// Dropped returns the violations not kept because the bound was reached.
func (f *Findings) Dropped() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

// Stats returns the counts of responses seen, checked and failed.
func (f *Findings) Stats() CheckStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Reset empties the collector, for reuse across runs.
func (f *Findings) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.byKey)
	f.order, f.dropped, f.stats = nil, 0, CheckStats{}
}

// starIndices replaces the array indices of a JSON pointer by "*".
func starIndices(p string) string {
	if p == "" {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, "/")
}
