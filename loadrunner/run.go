package loadrunner

import (
	"context"
	"errors"
)

// Run applies plan to target and returns what it measured. The error is
// non-nil only when the run could not start (an invalid plan or option);
// a run stopped early by ctx or an abort returns its partial result.
func Run(ctx context.Context, plan Plan, target Target, opts ...Option) (*Result, error) {
	return nil, errors.New("loadrunner: run: not implemented yet") // replaced by the engine
}

// Merge combines results of runs that loaded the same target (processes,
// shards, machines) into one, exactly: the merged distributions are those one
// run over all samples would have recorded.
func Merge(results ...*Result) (*Result, error) {
	return nil, errors.New("loadrunner: merge: not implemented yet") // replaced by the engine
}

// Classify returns the transport class of a request error that carries no
// *Error: refused, reset, timeout, DNS or other.
func Classify(err error) Class { return ClassTransport }

type httpConfig struct{}

// HTTPTarget sends HTTP requests; build it with HTTP.
type HTTPTarget struct{ err error }

// HTTP returns a Target that sends HTTP requests to baseURL. Requests given as
// options are cycled through by hit index. A bad base URL or option is
// reported by Validate, which Run calls before it starts, so HTTP can be
// written inline in a call to Run.
func HTTP(baseURL string, opts ...HTTPOption) *HTTPTarget {
	return &HTTPTarget{err: errors.New("loadrunner: http: not implemented yet")} // replaced by the engine
}

// Validate reports a bad base URL or option.
func (t *HTTPTarget) Validate() error { return t.err }

// Hit sends one request.
func (t *HTTPTarget) Hit(ctx context.Context, seq uint64, tr *Trace) error { return t.err }
