package loadrunner

import (
	"context"
	"net/http"
	"time"
)

// Target is what a run loads. Hit performs one request and returns nil for a
// good response or an error, classified by ClassOf. seq is the hit's index in
// the whole schedule (the same index on every shard), for choosing among
// varied requests deterministically. tr, owned by the calling worker and
// reset before each call, receives what the target can tell about the
// request (status, HTTP phases); it must not be retained. Hit must return
// promptly once ctx is done. Implementations must be safe for concurrent use.
type Target interface {
	Hit(ctx context.Context, seq uint64, tr *Trace) error
}

// Trace is what a target reports about one request.
type Trace struct {
	// Status is the HTTP status code, 0 when there was no response.
	Status int
	// Proto is the protocol of the response as http.Response.Proto writes
	// it ("HTTP/1.1", "HTTP/2.0"), "" when there was none; runs count
	// responses by it (Result.Protocols).
	Proto string
	// Connect, TLS and TTFB are the HTTP phases; Connect and TLS are zero
	// when a kept-alive connection was reused (ConnReused).
	Connect, TLS, TTFB time.Duration
	ConnReused         bool
	// Read is the instant the response had been read to its end (or
	// drained), before any check, contract validation or capture ran: the
	// request's latency ends there. Zero when the target does not say (the
	// runner then stamps completion when Hit returns).
	Read time.Time
	// Checked is true when checks ran on the response (WithCheck, a
	// contract's validation, a journey's captures); CheckTime is how long
	// they took. Check time is recorded apart (Result.Checks) and never
	// counted as latency.
	Checked   bool
	CheckTime time.Duration
	// Paused is the part of CheckTime spent between the send and Read — a
	// journey's checks and captures of the steps before its last — which
	// the runner takes out of the latency and service time.
	Paused time.Duration
	// Op is the index, in the target's Operations, of the operation this
	// hit exercised (a Mix sets it).
	Op int
	// Steps are the steps of a journey, in order, each counted in its
	// operation; the worker keeps the slice's storage between hits.
	Steps []StepTrace
}

// StepTrace is one step of a journey hit.
type StepTrace struct {
	// Op is the step's operation index in the target's Operations.
	Op int
	// Start is when the step's request was built; End when its response
	// had been read (before its checks and captures ran).
	Start, End time.Time
	Status     int
	Proto      string
	Err        error
	// Checked and CheckTime are the step's checks and captures, as in Trace.
	Checked   bool
	CheckTime time.Duration
}

// reset clears tr for the next hit, keeping the Steps storage.
func (tr *Trace) reset() { *tr = Trace{Steps: tr.Steps[:0]} }

// OperationsTarget is a Target whose hits exercise named operations (a mix
// or a journey): the Result then holds one sub-result per operation, in
// Result.Operations.
type OperationsTarget interface {
	Target
	Operations() []string
}

// Func returns a Target that calls fn for every hit: any work at all (a gRPC
// call, a database query). A non-nil error counts as a failure of the class
// ClassOf gives it.
func Func(fn func(ctx context.Context) error) Target { return funcTarget(fn) }

type funcTarget func(ctx context.Context) error

func (f funcTarget) Hit(ctx context.Context, _ uint64, _ *Trace) error { return f(ctx) }

// Request is one HTTP request of an HTTP target. URL is absolute, or a path
// (with query) resolved against the target's base URL. A Request is an
// HTTPOption: passing several cycles through them by hit index.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// GET returns a GET request for url.
func GET(url string) Request { return Request{Method: http.MethodGet, URL: url} }

// HTTPOption configures an HTTP target.
type HTTPOption interface{ applyHTTP(*httpConfig) }
