package pprofsource

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// Remote returns a source that reads a Go service's net/http/pprof
// endpoints over HTTP. base is the address of /debug/pprof/ (when it has no
// path, /debug/pprof/ is used):
//
//	pprofsource.Remote("http://127.0.0.1:8080/debug/pprof/", pprofsource.WithDir("profiles/search"))
//
// Over the window it takes: a CPU profile (profile?seconds=N, N the
// window's length rounded up to whole seconds, requested when the window
// opens), allocs at both ends (the difference is what the window
// allocated), goroutine at the end, and mutex and block at both ends when
// the service has them on. Each request is bounded (WithTimeout,
// WithMaxBody). Only loopback hosts are read unless WithAllowHosts names
// others; loadrunner.Run refuses a run whose source may not read its host
// before sending anything.
func Remote(base string, opts ...Option) loadrunner.ProfileSource {
	s := newSource(&remote{}, opts)
	s.b = newRemote(base, &s.cfg)
	return s
}

// remote reads /debug/pprof/ over HTTP.
type remote struct {
	base  *url.URL // ends in "/"
	label string   // for reports: userinfo redacted
	err   error    // a bad URL
	cfg   *config
}

func newRemote(raw string, cfg *config) *remote {
	r := &remote{cfg: cfg, label: "pprof " + raw}
	u, err := url.Parse(raw)
	if err != nil {
		r.err = fmt.Errorf("pprofsource: url: %w", err)
		return r
	}
	r.label = "pprof " + u.Redacted()
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.err = fmt.Errorf("pprofsource: url %q: want http(s)://host[:port][/debug/pprof/]", u.Redacted())
		return r
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/debug/pprof/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	r.base, r.label = u, "pprof "+u.Redacted()
	return r
}

func (r *remote) name() string { return r.label }

// validate refuses a bad URL and a host the caller did not allow.
func (r *remote) validate() error {
	if r.err != nil {
		return r.err
	}
	ok, err := loadrunner.HostAllowed(r.base.String(), strings.Join(r.cfg.allow, ","))
	if err != nil {
		return fmt.Errorf("pprofsource: %w", err)
	}
	if !ok {
		return fmt.Errorf("pprofsource: %s: host %s is outside loopback and not allowed (name it with pprofsource.WithAllowHosts): %w",
			r.label, r.base.Hostname(), loadrunner.ErrTargetRefused)
	}
	return nil
}

func (r *remote) notes() []string {
	return []string{"profiles read from the service's net/http/pprof endpoints"}
}

// startCPU requests profile?seconds=N in the background.
func (r *remote) startCPU(ctx context.Context, d time.Duration) (cpuRun, error) {
	secs := max(int64(math.Ceil(d.Seconds())), 1)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+r.cfg.http.Timeout)
	run := &remoteCPU{cancel: cancel, done: make(chan struct{})}
	q := url.Values{"seconds": {strconv.FormatInt(secs, 10)}}
	go func() {
		defer close(run.done)
		run.data, run.err = r.get(ctx, "profile", q)
	}()
	return run, nil
}

// read GETs the named profile within the source's timeout.
func (r *remote) read(ctx context.Context, name string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.http.Timeout)
	defer cancel()
	return r.get(ctx, name, nil)
}

// get fetches base+name?q and returns the body, read up to the bound.
func (r *remote) get(ctx context.Context, name string, q url.Values) ([]byte, error) {
	u := *r.base
	u.Path += name
	u.RawQuery = q.Encode()
	return r.cfg.http.Get(ctx, &u, "")
}

// remoteCPU is a profile?seconds=N request in flight.
type remoteCPU struct {
	cancel context.CancelFunc
	done   chan struct{}
	data   []byte
	err    error
}

// stop waits for the profile; when ctx is done first, the request is
// abandoned (the service stops profiling when the client goes away).
func (c *remoteCPU) stop(ctx context.Context) ([]byte, error) {
	defer c.cancel()
	select {
	case <-c.done:
	case <-ctx.Done():
		c.cancel()
		<-c.done
	}
	if c.err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("the run stopped before the profile's end: %w", context.Cause(ctx))
	}
	return c.data, c.err
}
