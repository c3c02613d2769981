package loadrunner_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// unwrapping adds nothing to the target it wraps but says what it wraps.
type unwrapping struct{ loadrunner.Target }

func (u unwrapping) Unwrap() loadrunner.Target { return u.Target }

// opaque wraps a target without saying so: its hosts are unknown.
type opaque struct{ loadrunner.Target }

// selfish unwraps to itself, forever.
type selfish struct{ loadrunner.Target }

func (s *selfish) Unwrap() loadrunner.Target { return s }

// remote is a host of TEST-NET-1 (RFC 5737): never routed, and never
// contacted here, since every run below is refused or sends offline.
const remote = "http://192.0.2.1:8080/"

// TestWrappedTargetsAreGuarded: a target wrapped to add something keeps
// its hosts: the guard refuses it with exactly the bare target's message,
// through any number of wrappers, inside a mix, and against the allow-list.
func TestWrappedTargetsAreGuarded(t *testing.T) {
	over := loadrunner.Plan{Rate: 5000, Duration: time.Second}
	tests := []struct {
		name string
		wrap func(loadrunner.Target) loadrunner.Target
		opts []loadrunner.Option
	}{
		{"one wrapper", func(t loadrunner.Target) loadrunner.Target { return unwrapping{t} }, nil},
		{"three wrappers", func(t loadrunner.Target) loadrunner.Target { return unwrapping{unwrapping{unwrapping{t}}} }, nil},
		{"a wrapper in a mix", func(t loadrunner.Target) loadrunner.Target {
			return loadrunner.Mix(loadrunner.Weighted{Name: "w", Weight: 1, Target: unwrapping{t}})
		}, nil},
		{"outside the allow-list", func(t loadrunner.Target) loadrunner.Target { return unwrapping{t} }, []loadrunner.Option{allow("api.example.com")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, client := offlineTarget(remote)
			_, want := loadrunner.Run(t.Context(), over, bare, tt.opts...)
			if !errors.Is(want, loadrunner.ErrTargetRefused) || !strings.Contains(want.Error(), "192.0.2.1:8080") {
				t.Fatalf("the bare target: %v, want a refusal naming its host", want)
			}
			_, err := loadrunner.Run(t.Context(), over, tt.wrap(bare), tt.opts...)
			if err == nil || err.Error() != want.Error() {
				t.Fatalf("wrapped: %v\nbare:    %v", err, want)
			}
			if n := client.sent.Load(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// TestUnknownHostsAreRemote: a target whose hosts the guard cannot find (a
// wrapper without Unwrap, a wrapper that unwraps to itself, a target of the
// caller's own) is limited like a remote host, and refused outright by an
// allow-list, unless the caller trusts it.
func TestUnknownHostsAreRemote(t *testing.T) {
	over := loadrunner.Plan{Rate: 500, Duration: time.Second}
	within := loadrunner.Plan{Rate: 50, Duration: time.Second}
	trust := loadrunner.WithSafety(loadrunner.Safety{TrustUnknownHosts: true})
	tests := []struct {
		name   string
		plan   loadrunner.Plan
		opts   []loadrunner.Option
		refuse string // "" when the run goes ahead
	}{
		{"over the limits", over, nil, "rate 500 req/s to a target whose hosts are unknown"},
		{"within the limits", within, nil, ""},
		{"trusted", over, []loadrunner.Option{trust}, ""},
		{"raised limits", over, []loadrunner.Option{loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 500})}, ""},
		{"allow-list", within, []loadrunner.Option{allow("api.example.com")}, "cannot be checked against the allow-list"},
		{"allow-list, trusted", within, []loadrunner.Option{allow("api.example.com"), trust}, ""},
	}
	for _, tt := range tests {
		for _, kind := range []string{"opaque wrapper", "self-wrapper", "own target"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				bare, client := offlineTarget(remote)
				target := map[string]loadrunner.Target{"opaque wrapper": opaque{bare}, "self-wrapper": &selfish{bare}, "own target": countingTarget{client}}[kind]
				err := runBriefly(t, tt.plan, target, tt.opts...)
				if tt.refuse == "" {
					if err != nil || client.sent.Load() == 0 {
						t.Fatalf("error %v, sent %d: want the run to go ahead", err, client.sent.Load())
					}
					return
				}
				if !errors.Is(err, loadrunner.ErrTargetRefused) || !strings.Contains(err.Error(), tt.refuse) || !strings.Contains(err.Error(), "TrustUnknownHosts") {
					t.Fatalf("error %v, want a refusal saying %q and how to trust the target", err, tt.refuse)
				}
				if n := client.sent.Load(); n != 0 {
					t.Errorf("%d requests sent", n)
				}
			})
		}
	}
}

// countingTarget is a target of the caller's own, with no hosts to report.
type countingTarget struct{ c *offlineClient }

func (c countingTarget) Hit(context.Context, uint64, *loadrunner.Trace) error {
	c.c.sent.Add(1)
	return nil
}

// TestRequestsBuiltDuringTheRunStayOnCheckedHosts: requests a target builds
// while it runs (WithRequestFunc, a journey step whose URL was captured)
// may go only to the hosts the guard checked; another host's request fails
// as transport.other and is never sent.
func TestRequestsBuiltDuringTheRunStayOnCheckedHosts(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	away := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/x"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"next": %q}`, away)
	}))
	defer srv.Close()
	plan := loadrunner.Plan{Rate: 100, Duration: 200 * time.Millisecond, Timeout: time.Second}
	targets := map[string]loadrunner.Target{
		"request func": loadrunner.HTTP(srv.URL, loadrunner.WithRequestFunc(func(seq uint64) loadrunner.Request {
			if seq%2 == 0 {
				return loadrunner.GET("/here")
			}
			return loadrunner.GET(away)
		})),
		"journey": loadrunner.Journey("j", srv.URL, []loadrunner.JourneyStep{
			loadrunner.Step("first", loadrunner.GET("/"), loadrunner.CaptureJSON("next", "/next")),
			loadrunner.Step("second", loadrunner.GET("{next}")),
		}),
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			res, err := loadrunner.Run(t.Context(), plan, target)
			if err != nil {
				t.Fatal(err)
			}
			refused := res.Errors.ByClass[loadrunner.ClassTransport]
			if refused == 0 || refused+res.OK() != res.Requests {
				t.Fatalf("requests %d, ok %d, errors %+v: want the other host's requests refused", res.Requests, res.OK(), res.Errors)
			}
			if ex := res.Errors.Examples[loadrunner.ClassTransport]; len(ex) == 0 || !strings.Contains(ex[0], "not among the target's hosts") {
				t.Errorf("examples %q", ex)
			}
		})
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// TestWrappersKeepTheirTargetsAbilities: Run finds Validate, Prepare and a
// mix's operations through a wrapper.
func TestWrappersKeepTheirTargetsAbilities(t *testing.T) {
	if _, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 1, Duration: time.Second}, unwrapping{loadrunner.HTTP("ftp://x")}); err == nil || !strings.Contains(err.Error(), "scheme") {
		t.Errorf("a wrapped bad target: %v, want its Validate error", err)
	}
	ok := loadrunner.Func(func(context.Context) error { return nil })
	mix := loadrunner.Mix(loadrunner.Weighted{Name: "a", Weight: 3, Target: ok}, loadrunner.Weighted{Name: "b", Weight: 1, Target: ok})
	res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 200, Duration: 200 * time.Millisecond}, unwrapping{mix})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Operations) != 2 || res.Operations["a"].Requests != 30 || res.Operations["b"].Requests != 10 {
		t.Fatalf("operations %+v: want a: 30 and b: 10 through the wrapper", res.Operations)
	}
}
