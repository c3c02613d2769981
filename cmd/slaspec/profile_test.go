package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
)

func TestAttackProfilesTheService(t *testing.T) {
	url := bookstore(t, true)
	dir := t.TempDir()
	out := filepath.Join(dir, "search.json")
	code, stdout, stderr := run(t, "attack", "-url", url+"/search?q=river", "-rate", "20", "-duration", "1s", "-q",
		"-sla", "p99<1ms", "-json", out, "-profile", url+"/debug/pprof/")
	if code != exitFail && code != exitInconclusive {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"CPU profiled at 100 Hz (costs the service a few percent of its CPU); files in " + filepath.Join(dir, "search.profiles"),
		"    cpu        ", "(cpu.pb.gz)", "    alloc      ", "    goroutines ",
		"rankQuadratic",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, name := range []string{"cpu.pb.gz", "allocs.pb.gz", "goroutine.pb.gz"} {
		if _, err := os.Stat(filepath.Join(dir, "search.profiles", name)); err != nil {
			t.Errorf("profile file: %v", err)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res loadrunner.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Profiles == nil || res.Profiles.CPU == nil || res.Profiles.CPU.File != filepath.Join(dir, "search.profiles", "cpu.pb.gz") {
		t.Errorf("the JSON result's profiles: %+v", res.Profiles)
	}
}

func TestContractProfilesEachOperation(t *testing.T) {
	url := bookstore(t, true)
	dir := t.TempDir()
	out := filepath.Join(dir, "contract.json")
	code, stdout, stderr := run(t, "contract", "-spec", bookstoreDoc, "-url", url, "-op", "searchBooks", "-rate", "20",
		"-duration", "1s", "-warmup", "0s", "-sla", "max<1ms", "-json", out, "-profile", url+"/debug/pprof/")
	if code != exitFail && code != exitInconclusive {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"CPU profiled at 100 Hz", filepath.Join(dir, "contract.profiles", "searchBooks"), "rankQuadratic"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "CPU in the window: ") {
		t.Errorf("a failed operation does not name where the CPU went:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "contract.profiles", "searchBooks", "cpu.pb.gz")); err != nil {
		t.Errorf("profile file: %v", err)
	}
}

func TestCapacityProfilesEachStep(t *testing.T) {
	url := bookstore(t, true)
	dir := t.TempDir()
	out := filepath.Join(dir, "search.json")
	// p99<1ms breaks at the lowest rate: the search ends at its first step.
	code, stdout, stderr := run(t, "capacity", "-url", url+"/search?q=river", "-sla", "p99<1ms", "-min", "20", "-max", "40",
		"-steps", "2", "-step-duration", "1s", "-warmup", "0s", "-q", "-json", out, "-profile", url+"/debug/pprof/")
	if code != exitFail && code != exitInconclusive {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	step := filepath.Join(dir, "search.profiles", "step-20rps")
	for _, want := range []string{"  the service at 20 req/s, the step that ", "files in " + step, "rankQuadratic"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(step, "cpu.pb.gz")); err != nil {
		t.Errorf("profile file: %v", err)
	}
}

func TestProfileFlagRefusesRemoteHosts(t *testing.T) {
	url := bookstore(t, false)
	t.Setenv(loadrunner.AllowHostsEnv, "")
	code, _, stderr := run(t, "attack", "-url", url+"/books", "-duration", "1s", "-q", "-profile", "http://192.0.2.1:6060/debug/pprof/")
	if code != exitUsage || !strings.Contains(stderr, "-profile: pprofsource: pprof http://192.0.2.1:6060/debug/pprof/: host 192.0.2.1 is outside loopback") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	t.Setenv(loadrunner.AllowHostsEnv, "192.0.2.1:6060")
	var f profileFlags
	f.url = "http://192.0.2.1:6060/debug/pprof/"
	if _, err := f.options("", ""); err != nil {
		t.Errorf("a host in %s refused: %v", loadrunner.AllowHostsEnv, err)
	}
}

func TestProfileFolder(t *testing.T) {
	cases := []struct {
		dir, json, sub, want string
	}{
		{"", "", "", "profiles"},
		{"", "-", "listBooks", filepath.Join("profiles", "listBooks")},
		{"", "out/run.json", "", filepath.Join("out", "run.profiles")},
		{"", "out/run.json", "GET /books/{id}", filepath.Join("out", "run.profiles", "GET__books__id_")},
		{"p", "out/run.json", "../x", filepath.Join("p", "_x")},
	}
	for _, c := range cases {
		f := profileFlags{dir: c.dir}
		if got := f.folder(c.json, c.sub); got != c.want {
			t.Errorf("folder(%q, %q) with -profile-dir %q = %q, want %q", c.json, c.sub, c.dir, got, c.want)
		}
	}
}
