package main

import (
	"net"
	"strings"
	"testing"
)

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestExitCodes checks the README's exit-code table, one row per case: a
// service that is down or a host that does not resolve fails (1) with or
// without -sla, naming the error class; a pass is 0; bad input is 2; a
// verdict that cannot be given is 3. (An interrupted run is 3 too:
// signal_test.go.)
func TestExitCodes(t *testing.T) {
	down := "http://" + closedPort(t) + "/items/1"
	gentle := []string{"-rate", "50", "-duration", "1s", "-warmup", "0s", "-timeout", "2s"}
	gentleOp := []string{"-rate", "50", "-duration", "1s", "-warmup", "0s"}
	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"attack, nothing listening", append([]string{"attack", "-url", down}, gentle...), exitFail, "transport.refused 50 of 50"},
		{"attack -sla, nothing listening", append([]string{"attack", "-url", down, "-sla", "p50<100ms"}, gentle...), exitFail, "is the service running and reachable"},
		{"attack, host does not resolve", append([]string{"attack", "-url", "http://does-not-resolve.invalid/x"}, gentle...), exitFail, "transport.dns"},
		{"contract, nothing listening", append([]string{"contract", "-spec", bookstoreDoc, "-url", "http://" + closedPort(t), "-op", "getBook", "-allow-inconclusive"}, gentleOp...), exitFail, "transport.refused"},
		{"contract -sla, nothing listening", append([]string{"contract", "-spec", bookstoreDoc, "-url", "http://" + closedPort(t), "-op", "getBook", "-sla", "p50<1s"}, gentleOp...), exitFail, "transport.refused"},
		{"attack passes", append([]string{"attack", "-demo", "-sla", "p50<5s"}, gentle...), exitOK, "SLA met"},
		{"attack, too few samples for p99.9", append([]string{"attack", "-demo", "-sla", "p99.9<5s"}, gentle...), exitInconclusive, "needs at least 10000"},
		{"attack, bad SLA", []string{"attack", "-demo", "-sla", "p99<abc"}, exitUsage, `budget "p99<abc"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.args...)
			if code != c.code || !strings.Contains(stdout+stderr, c.says) {
				t.Fatalf("exit %d, want %d saying %q\nstdout:\n%s\nstderr:\n%s", code, c.code, c.says, stdout, stderr)
			}
		})
	}
}
