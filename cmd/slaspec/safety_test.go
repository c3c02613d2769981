package main

import (
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestRemoteLimitFlags: attack and capacity refuse a plan above the remote
// limits at a host outside loopback (192.0.2.1, TEST-NET-1: never contacted,
// since every run here is refused before it sends), take the same
// -remote-max-* flags, and read the allow-list from SLASPEC_ALLOW_HOSTS.
func TestRemoteLimitFlags(t *testing.T) {
	const url = "http://192.0.2.1:8080/x"
	attack := []string{"attack", "-url", url, "-duration", "1s", "-q"}
	capacity := []string{"capacity", "-url", url, "-sla", "p99<1s", "-min", "200", "-step-duration", "1s", "-q"}
	cases := []struct {
		name, allow string
		args        []string
		want        string
	}{
		{"attack over the rate limit", "", append(attack, "-rate", "5000"), "rate 5000 req/s to 192.0.2.1:8080 exceeds the 100 req/s limit"},
		{"capacity over the rate limit", "", append(capacity, "-max", "5000"), "rate 5000 req/s to 192.0.2.1:8080 exceeds the 100 req/s limit"},
		{"attack, raised rate, lowered duration", "", append(attack, "-rate", "5000", "-remote-max-rate", "5000", "-remote-max-duration", "10ms"), "exceeds the 10ms limit"},
		{"capacity, raised rate, lowered duration", "", append(capacity, "-max", "5000", "-remote-max-rate", "5000", "-remote-max-duration", "10ms"), "exceeds the 10ms limit"},
		{"attack, closed model", "", append(attack, "-concurrency", "50", "-remote-max-concurrency", "20"), "concurrency 50 to 192.0.2.1:8080 exceeds the 20 limit"},
		{"attack outside the allow-list", "api.example.com", append(attack, "-rate", "1"), `host 192.0.2.1:8080 is not in the allow-list "api.example.com"`},
		{"capacity outside the allow-list", "api.example.com", append(capacity, "-max", "300"), `host 192.0.2.1:8080 is not in the allow-list "api.example.com"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(loadrunner.AllowHostsEnv, c.allow)
			code, _, stderr := run(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "target refused") {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, c.want)
			}
		})
	}
}

func TestCapacityHelpListsRemoteLimitFlags(t *testing.T) {
	for _, cmd := range []string{"attack", "capacity", "contract"} {
		_, _, stderr := run(t, cmd, "-h")
		for _, flag := range []string{"-remote-max-rate", "-remote-max-duration", "-remote-max-concurrency"} {
			if !strings.Contains(stderr, flag) {
				t.Errorf("%s -h does not list %s", cmd, flag)
			}
		}
	}
}
