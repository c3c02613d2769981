package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// fuzzArgs splits fuzz input into arguments (newline separated, so an
// argument may hold spaces), bounded in number.
func fuzzArgs(s string) []string {
	args := strings.Split(s, "\n")
	if len(args) > 32 {
		args = args[:32]
	}
	return args
}

// FuzzAttackFlags parses and checks slaspec attack's flags as a run would,
// without sending load: bad input must give exit code 2 and a message,
// never a panic.
func FuzzAttackFlags(f *testing.F) {
	for _, s := range []string{
		"-url\nhttp://127.0.0.1:8080/x\n-rate\n500\n-duration\n5s",
		"-url\nhttp://127.0.0.1:1\n-header\nAuthorization: Bearer x\n-sla\np99<1s, errors<1%!",
		"-demo\n-shard\n1/3\n-start-at\n2026-11-25T12:00:00Z",
		"-url\nftp://x\n-concurrency\n-4\n-gc-source\nhttp://127.0.0.1:1/debug/vars",
		"-rate\nNaN\n-timeout\n-1s\n-max-inflight\n0",
		"-url\nhttps://127.0.0.1:1\n-http\n2\n-insecure\n-cert\nc.pem",
		"-url\nhttp://127.0.0.1:1\n-http\nh2c\n-cacert\nca.pem",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var stderr bytes.Buffer
		fl, code := parseAttack(fuzzArgs(s), &stderr)
		if fl == nil {
			if code != exitUsage || stderr.Len() == 0 {
				t.Fatalf("bad flags %q: exit %d, message %q", s, code, stderr.String())
			}
			return
		}
		fl.body = "" // never read a file the fuzzer names
		fl.conn.cacert, fl.conn.cert, fl.conn.key = "", "", ""
		_, _, _, cleanup, err := fl.build()
		if cleanup != nil {
			cleanup()
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("%q: an error without a message", s)
		}
	})
}

// FuzzFileCommands runs the commands that read files and flags (check,
// report, merge, compare, gen) on fuzzed arguments: whatever they are,
// the command exits with a documented code and never panics.
func FuzzFileCommands(f *testing.F) {
	for _, s := range []string{
		"check\n-sla\np99<1s\nnothing.json",
		"report\n-format\nhtml\n../../ginkgo-plugin/report/testdata/document.json",
		"merge\nout-never-written.json",
		"compare\n-baseline\n../../ginkgo-plugin/report/testdata/document.json\n-max-regression\n5%\n../../ginkgo-plugin/report/testdata/document.json",
		"gen\n-spec\n../../examples/bookstore/openapi.yaml\n-package\nx_test\n-sla\np99<",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := fuzzArgs(s)
		switch args[0] {
		case "check", "report", "compare", "gen":
		default:
			return // merge writes files; others send load
		}
		code := dispatch(context.Background(), args, io.Discard, io.Discard)
		if code < exitOK || code > exitInconclusive {
			t.Fatalf("%q: exit %d", s, code)
		}
	})
}
