package loadrunner

// A Target needs only Hit. What else Run can do with it — check it before
// the run, size it for the plan, count its operations apart, check the hosts
// it loads — it learns from the optional interfaces below, looking through
// wrappers (Wrapper) for each, so a target wrapped to add logging, a header
// or a counter keeps every ability of the one it wraps, and cannot hide its
// hosts from the safety guard.

// Validator is a Target that can report a bad configuration (a bad URL, a
// mix without operations) before anything is sent; Run refuses to start
// when Validate returns an error.
type Validator interface {
	Target
	Validate() error
}

// HostTarget is a Target that reports the hosts its requests go to, for the
// safety guard (see Safety): Hosts returns each as "host:port", the port
// being the one the URL's scheme implies when the URL names none. The list
// must be complete: a request to any other host must not be sent (the HTTP
// targets refuse, at run time, a request built during the run for a host
// not in the list). An empty list means the target sends to no host. A
// target that is neither a HostTarget nor a Wrapper or Composite of one has
// unknown hosts, which the guard treats as hosts outside loopback.
type HostTarget interface {
	Target
	Hosts() []string
}

// Preparer is a Target that adapts itself to the plan before the run (the
// HTTP targets size their connection pool for Plan.MaxInFlight). Run calls
// Prepare once, with the plan's defaults filled in, before the first Hit.
type Preparer interface {
	Target
	Prepare(Plan)
}

// OperationChooser is an OperationsTarget that knows, from a hit's index,
// which of its operations the hit exercises (a Mix): Run then counts each
// operation's planned and sent hits.
type OperationChooser interface {
	OperationsTarget
	OperationOf(seq uint64) int
}

// Wrapper is a Target that wraps another, sending each hit on to it (with
// something added: a header, a log line, a counter). Run looks through
// Unwrap for every interface above that the wrapper itself does not
// implement, and the safety guard checks the hosts of the wrapped target.
//
//	type logged struct{ loadrunner.Target }
//	func (l logged) Unwrap() loadrunner.Target { return l.Target }
type Wrapper interface {
	Target
	Unwrap() Target
}

// Composite is a Target whose hits go to several targets (a Mix): the
// safety guard checks the hosts of each.
type Composite interface {
	Target
	Unwrap() []Target
}

// maxUnwrap bounds how many wrappers Run looks through, so that a wrapper
// that unwraps to itself cannot loop forever.
const maxUnwrap = 32

// capability returns the first target of t's Unwrap chain, t itself first,
// that implements C.
func capability[C any](t Target) (C, bool) {
	for range maxUnwrap {
		if c, ok := t.(C); ok {
			return c, true
		}
		w, ok := t.(Wrapper)
		if !ok {
			break
		}
		if t = w.Unwrap(); t == nil {
			break
		}
	}
	var zero C
	return zero, false
}

// Compile-time checks of the interfaces the package's targets implement.
var (
	_ Validator        = (*HTTPTarget)(nil)
	_ HostTarget       = (*HTTPTarget)(nil)
	_ Preparer         = (*HTTPTarget)(nil)
	_ Validator        = (*MixTarget)(nil)
	_ Preparer         = (*MixTarget)(nil)
	_ OperationChooser = (*MixTarget)(nil)
	_ Composite        = (*MixTarget)(nil)
	_ Validator        = (*JourneyTarget)(nil)
	_ HostTarget       = (*JourneyTarget)(nil)
	_ Preparer         = (*JourneyTarget)(nil)
	_ OperationsTarget = (*JourneyTarget)(nil)
	_ HostTarget       = funcTarget(nil)
)
