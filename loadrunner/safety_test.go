package loadrunner_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// offlineClient answers every request itself, so that a target naming a
// remote host is never contacted; it counts what it was asked to send.
type offlineClient struct{ sent atomic.Int64 }

func (c *offlineClient) RoundTrip(r *http.Request) (*http.Response, error) {
	c.sent.Add(1)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// offlineTarget is an HTTP target for url whose requests never leave the process.
func offlineTarget(url string, opts ...loadrunner.HTTPOption) (*loadrunner.HTTPTarget, *offlineClient) {
	c := &offlineClient{}
	opts = append(opts, loadrunner.WithClient(&http.Client{Transport: c}))
	return loadrunner.HTTP(url, opts...), c
}

// runBriefly runs plan with a short deadline: a plan the guard lets through
// starts, sends a little and stops.
func runBriefly(t *testing.T, plan loadrunner.Plan, target loadrunner.Target, opts ...loadrunner.Option) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	_, err := loadrunner.Run(ctx, plan, target, opts...)
	return err
}

// allow is the option an allow-list written as SLASPEC_ALLOW_HOSTS holds
// (comma-separated) gives.
func allow(list string) loadrunner.Option {
	return loadrunner.WithAllowHosts(strings.Split(list, ",")...)
}

func TestRemoteTargetsAreLimitedByDefault(t *testing.T) {
	ramp := []loadrunner.Stage{{Duration: 10 * time.Second, From: 10, To: 300}}
	tests := []struct {
		name string
		url  string
		plan loadrunner.Plan
		opts []loadrunner.Option
		want string // "" when the run is allowed
	}{
		{"rate above the default", "http://10.0.0.1/", loadrunner.Plan{Rate: 500, Duration: time.Second}, nil, "rate 500 req/s to 10.0.0.1:80 exceeds the 100 req/s limit"},
		{"duration above the default", "https://example.invalid/", loadrunner.Plan{Rate: 10, Duration: 2 * time.Minute}, nil, "duration 2m0s (warm-up included) to example.invalid:443 exceeds the 1m0s limit"},
		{"warm-up counts", "http://example.invalid:8080/", loadrunner.Plan{Rate: 10, Duration: 50 * time.Second, Warmup: 20 * time.Second}, nil, "duration 1m10s"},
		{"ramp peak", "http://example.invalid/", loadrunner.Plan{Stages: ramp}, nil, "rate 300 req/s"},
		{"closed model", "http://example.invalid/", loadrunner.Plan{Concurrency: 50, Duration: time.Second}, nil, "concurrency 50 to example.invalid:80 exceeds the 10 limit"},
		{"whole rate of a shard", "http://10.0.0.1/", loadrunner.Plan{Rate: 400, Duration: time.Second, Shard: loadrunner.Shard{Index: 0, Count: 4}}, nil, "rate 400"},
		{"name resolving to loopback is still remote", "http://localtest.invalid/", loadrunner.Plan{Rate: 101, Duration: time.Second}, nil, "rate 101"},
		{"at the defaults", "http://10.0.0.1/", loadrunner.Plan{Rate: 100, Duration: time.Minute, Concurrency: 0}, nil, ""},
		{"raised", "http://10.0.0.1/", loadrunner.Plan{Rate: 500, Duration: 2 * time.Minute, Stages: nil},
			[]loadrunner.Option{loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 500, MaxDuration: 2 * time.Minute})}, ""},
		{"raised concurrency", "http://10.0.0.1/", loadrunner.Plan{Concurrency: 50, Duration: time.Second},
			[]loadrunner.Option{loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxConcurrency: 50})}, ""},
		{"lowered", "http://10.0.0.1/", loadrunner.Plan{Rate: 50, Duration: time.Second},
			[]loadrunner.Option{loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 20})}, "exceeds the 20 req/s limit"},
		{"absolute request to a remote host", "http://127.0.0.1:9/", loadrunner.Plan{Rate: 500, Duration: time.Second}, nil, "rate 500 req/s to 10.0.0.2:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []loadrunner.HTTPOption
			if strings.HasPrefix(tt.name, "absolute") {
				opts = append(opts, loadrunner.GET("/local"), loadrunner.GET("http://10.0.0.2/remote"))
			}
			target, client := offlineTarget(tt.url, opts...)
			err := runBriefly(t, tt.plan, target, tt.opts...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if client.sent.Load() == 0 {
					t.Errorf("an allowed run sent nothing")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, loadrunner.ErrTargetRefused) {
				t.Fatalf("error %v, want ErrTargetRefused mentioning %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "WithRemoteLimits") || !strings.Contains(err.Error(), loadrunner.AllowHostsEnv) {
				t.Errorf("error %v does not say how to raise the limit", err)
			}
			if n := client.sent.Load(); n != 0 {
				t.Errorf("a refused run sent %d requests", n)
			}
		})
	}
}

func TestLoopbackTargetsAreNotLimited(t *testing.T) {
	huge := loadrunner.Plan{Rate: 20000, Duration: 24 * time.Hour, Warmup: time.Hour}
	for _, url := range []string{"http://127.0.0.1:8080/", "http://127.1.2.3/", "http://[::1]:9/", "http://localhost/", "http://LOCALHOST.:80/", "http://[::ffff:127.0.0.1]/"} {
		t.Run(url, func(t *testing.T) {
			target, client := offlineTarget(url)
			if err := runBriefly(t, huge, target, allow("api.example.com")); err != nil {
				t.Fatalf("loopback refused: %v", err)
			}
			if client.sent.Load() == 0 {
				t.Errorf("nothing sent")
			}
		})
	}
}

func TestAllowListRefusesOtherHosts(t *testing.T) {
	const list = " api.example.com:8443, *.internal.example ,10.0.0.7,[fd00::1]:80,"
	tests := []struct {
		url     string
		allowed bool
	}{
		{"https://api.example.com:8443/v1", true},
		{"https://API.Example.com:8443/v1", true},
		{"http://api.example.com/v1", false},  // port 80
		{"https://api.example.com/v1", false}, // port 443
		{"https://a.b.internal.example/", true},
		{"https://internal.example/", false},
		{"https://evilinternal.example/", false},
		{"http://10.0.0.7:9999/", true},
		{"http://10.0.0.8/", false},
		{"http://[fd00::1]/", true},
		{"http://[fd00::1]:81/", false},
		{"http://127.0.0.1:1/", true}, // loopback is always allowed
	}
	plan := loadrunner.Plan{Rate: 20, Duration: time.Second}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			target, client := offlineTarget(tt.url)
			err := runBriefly(t, plan, target, allow(list))
			if tt.allowed {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, loadrunner.ErrTargetRefused) ||
				!strings.Contains(err.Error(), "is not in the allow-list") {
				t.Fatalf("error %v, want a refusal naming the host and the allow-list", err)
			}
			if n := client.sent.Load(); n != 0 {
				t.Errorf("a refused run sent %d requests", n)
			}
		})
	}
}

// TestAllowListedHostsAreNotLimitedByDefault: naming a host in the
// allow-list is an explicit choice, so the default limits give way; limits
// set with WithRemoteLimits still hold.
func TestAllowListedHostsAreNotLimitedByDefault(t *testing.T) {
	listed := allow("orders.staging.invalid")
	big := loadrunner.Plan{Rate: 5000, Duration: time.Hour}
	target, client := offlineTarget("http://orders.staging.invalid:8080/")
	if err := runBriefly(t, big, target, listed); err != nil || client.sent.Load() == 0 {
		t.Fatalf("error %v, sent %d: an allow-listed host takes any plan", err, client.sent.Load())
	}
	lowered := loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 1000})
	target, client = offlineTarget("http://orders.staging.invalid:8080/")
	err := runBriefly(t, big, target, listed, lowered)
	if err == nil || !strings.Contains(err.Error(), "rate 5000 req/s to orders.staging.invalid:8080 exceeds the 1000 req/s limit") || client.sent.Load() != 0 {
		t.Fatalf("error %v, sent %d: explicit limits apply to allow-listed hosts", err, client.sent.Load())
	}
}

func TestAllowListAndLimitsRejectBadValues(t *testing.T) {
	plan := loadrunner.Plan{Rate: 1, Duration: time.Second}
	tests := []struct {
		name, env string
		limits    loadrunner.RemoteLimits
		want      string
	}{
		{"port not a number", "api.example.com:http", loadrunner.RemoteLimits{}, `entry "api.example.com:http": port "http"`},
		{"port out of range", "api.example.com:70000", loadrunner.RemoteLimits{}, "from 1 to 65535"},
		{"only commas", " , ,", loadrunner.RemoteLimits{}, "holds no host"},
		{"bare wildcard", "*", loadrunner.RemoteLimits{}, `entry "*"`},
		{"inner wildcard", "api.*.example.com", loadrunner.RemoteLimits{}, "wildcard"},
		{"url instead of host", "https://api.example.com/", loadrunner.RemoteLimits{}, "allow-list entry"},
		{"negative rate", "", loadrunner.RemoteLimits{MaxRate: -1}, "max rate -1 is negative"},
		{"negative duration", "", loadrunner.RemoteLimits{MaxDuration: -time.Second}, "max duration -1s is negative"},
		{"negative concurrency", "", loadrunner.RemoteLimits{MaxConcurrency: -2}, "max concurrency -2 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, client := offlineTarget("http://10.0.0.1/")
			err := runBriefly(t, plan, target, loadrunner.WithSafety(loadrunner.Safety{Limits: tt.limits, AllowHosts: strings.Split(tt.env, ",")}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
			if n := client.sent.Load(); n != 0 {
				t.Errorf("sent %d requests despite the bad value", n)
			}
		})
	}
}

func TestFuncTargetsAreNotChecked(t *testing.T) {
	var n atomic.Int64
	target := loadrunner.Func(func(context.Context) error { n.Add(1); return nil })
	if err := runBriefly(t, loadrunner.Plan{Rate: 1000, Duration: time.Hour}, target, allow("api.example.com")); err != nil || n.Load() == 0 {
		t.Fatalf("error %v after %d calls: a Func target names no host to check", err, n.Load())
	}
}

// TestRedirectsToOtherHostsAreRefused: the HTTP target follows a redirect
// within its host and refuses one to another host (here the same machine
// under another name and port), counting it as transport.other.
func TestRedirectsToOtherHostsAreRefused(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	away := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/stolen"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, away, http.StatusFound)
		case "/home":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond, Timeout: time.Second}
	res, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(srv.URL, loadrunner.GET("/away"), loadrunner.GET("/home")))
	if err != nil {
		t.Fatal(err)
	}
	other.CloseClientConnections()
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	half := res.Requests / 2
	if res.Requests != 50 || res.Errors.ByClass[loadrunner.ClassTransport] != half || res.OK() != half || res.StatusCodes[http.StatusOK] != half {
		t.Fatalf("requests %d, ok %d, errors %+v, statuses %v: want half refused redirects, half followed", res.Requests, res.OK(), res.Errors, res.StatusCodes)
	}
	if ex := res.Errors.Examples[loadrunner.ClassTransport]; len(ex) == 0 || !strings.Contains(ex[0], "redirect to another host") {
		t.Errorf("examples %q", ex)
	}
}

func TestMixAndJourneyAreGuarded(t *testing.T) {
	remote := loadrunner.HTTP("http://10.0.0.1:8080", loadrunner.GET("/"))
	ok := loadrunner.Func(func(context.Context) error { return nil })
	plan := loadrunner.Plan{Rate: 1000, Duration: time.Second}
	for name, target := range map[string]loadrunner.Target{
		"mix": loadrunner.Mix(loadrunner.Weighted{Name: "local", Weight: 1, Target: ok},
			loadrunner.Weighted{Name: "remote", Weight: 1, Target: remote}),
		"journey": loadrunner.Journey("j", "http://10.0.0.1:8080", []loadrunner.JourneyStep{loadrunner.Step("get", loadrunner.GET("/"))}),
	} {
		_, err := loadrunner.Run(context.Background(), plan, target)
		if !errors.Is(err, loadrunner.ErrTargetRefused) || !strings.Contains(err.Error(), "10.0.0.1") {
			t.Errorf("%s aimed at 10.0.0.1 at 1000 req/s: %v, want a refusal naming the host", name, err)
		}
	}
}
