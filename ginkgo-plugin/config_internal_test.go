package ginkgoplugin

import (
	"slices"
	"testing"
)

func TestProfileConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := resolve([]Option{Profile("http://127.0.0.1:8080/debug/pprof/")}, getenv)
	if err != nil || c.Profile != "http://127.0.0.1:8080/debug/pprof/" || c.ProfileAllow != nil {
		t.Fatalf("Profile option: %+v, %v", c, err)
	}
	env["SLASPEC_PROFILE"] = "http://svc.internal:6060/debug/pprof/"
	env["SLASPEC_ALLOW_HOSTS"] = " svc.internal:6060, ,*.example.com"
	c, err = resolve([]Option{Profile("http://127.0.0.1:8080/debug/pprof/")}, getenv)
	if err != nil || c.Profile != env["SLASPEC_PROFILE"] || !slices.Equal(c.ProfileAllow, []string{"svc.internal:6060", "*.example.com"}) {
		t.Fatalf("environment: profile %q allow %q, %v", c.Profile, c.ProfileAllow, err)
	}
}
