package ginkgoplugin

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

func TestProfileConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := resolve([]Option{WithProfile("http://127.0.0.1:8080/debug/pprof/")}, getenv)
	if err != nil || c.Profile != "http://127.0.0.1:8080/debug/pprof/" || c.ProfileAllow != nil {
		t.Fatalf("Profile option: %+v, %v", c, err)
	}
	env["SLASPEC_PROFILE"] = "http://svc.internal:6060/debug/pprof/"
	env["SLASPEC_ALLOW_HOSTS"] = " svc.internal:6060, ,*.example.com"
	c, err = resolve([]Option{WithProfile("http://127.0.0.1:8080/debug/pprof/")}, getenv)
	if err != nil || c.Profile != env["SLASPEC_PROFILE"] || !slices.Equal(c.ProfileAllow, []string{"svc.internal:6060", "*.example.com"}) {
		t.Fatalf("environment: profile %q allow %q, %v", c.Profile, c.ProfileAllow, err)
	}
}

// TestSafetyComesFromTheEnvironment: the plugin, not loadrunner, reads the
// allow-list and the remote limits from the environment, and they reach the
// guard.
func TestSafetyComesFromTheEnvironment(t *testing.T) {
	env := map[string]string{
		"SLASPEC_ALLOW_HOSTS":            "api.example.com, 192.0.2.1:8080",
		"SLASPEC_REMOTE_MAX_RATE":        "300",
		"SLASPEC_REMOTE_MAX_CONCURRENCY": "7",
	}
	c, err := resolve(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AllowHosts) != 2 || c.Remote.MaxRate != 300 || c.Remote.MaxConcurrency != 7 {
		t.Fatalf("config %+v", c)
	}
	target := loadrunner.HTTP("http://192.0.2.1:8080/") // TEST-NET-1, never contacted
	plan := loadrunner.Plan{Rate: 500, Duration: time.Second}
	err = loadrunner.CheckSafety(plan, target, c.safety()...)
	if !errors.Is(err, loadrunner.ErrTargetRefused) || !strings.Contains(err.Error(), "exceeds the 300 req/s limit") {
		t.Errorf("listed host above SLASPEC_REMOTE_MAX_RATE: %v", err)
	}
	err = loadrunner.CheckSafety(plan, loadrunner.HTTP("http://192.0.2.2/"), c.safety()...)
	if !errors.Is(err, loadrunner.ErrTargetRefused) || !strings.Contains(err.Error(), "is not in the allow-list") {
		t.Errorf("host outside SLASPEC_ALLOW_HOSTS: %v", err)
	}
	if err := loadrunner.CheckSafety(loadrunner.Plan{Rate: 300, Duration: time.Second}, target, c.safety()...); err != nil {
		t.Errorf("listed host within the limits: %v", err)
	}
	bad := map[string]string{"SLASPEC_REMOTE_MAX_CONCURRENCY": "many"}
	if _, err := resolve(nil, func(k string) string { return bad[k] }); err == nil || !strings.Contains(err.Error(), "SLASPEC_REMOTE_MAX_CONCURRENCY") {
		t.Errorf("bad concurrency: %v", err)
	}
}
