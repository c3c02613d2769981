package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/testtool"
)

// TestNoPlantedSecretInAnyOutput plants secrets in the URL's query and
// userinfo, in headers (a bearer token, an API key, one named only by
// -redact) and in the document's API key, against a service that echoes
// them into content types, JSON property names, error bodies and cut
// connections; then runs attack, contract and capacity, merges, compares
// and renders the results in every format. No secret appears in any
// console output or file, and the files say REDACTED where the echoes were.
func TestNoPlantedSecretInAnyOutput(t *testing.T) {
	srv := httptest.NewServer(testtool.SecretService())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	url := testtool.SecretURL(srv.URL)
	base := strings.TrimSuffix(url, "/echo?api_key="+testtool.SecretQuery)
	creds := []string{"-header", "Authorization: Bearer " + testtool.SecretBearer, "-header", "X-Api-Key: " + testtool.SecretHeader,
		"-header", testtool.CustomHeader + ": " + testtool.SecretCustom, "-redact", testtool.CustomHeader}
	commands := [][]string{
		{"attack", "-url", url, "-method", "POST", "-rate", "40", "-duration", "1s", "-sla", "errors<1%", "-json", file("attack.json")},
		{"contract", "-spec", testtool.SecretDocument(), "-url", base, "-auth", "apikey:" + testtool.SecretScheme,
			"-rate", "40", "-duration", "1s", "-warmup", "0s", "-seed", "1", "-json", file("contract.json")},
		{"capacity", "-url", url, "-method", "POST", "-sla", "errors<99%", "-min", "20", "-max", "40", "-steps", "2", "-step-duration", "500ms",
			"-warmup", "0s", "-json", file("capacity.json"), "-html", file("capacity.html")},
		{"merge", file("merged.json"), file("attack.json"), file("contract.json")},
		{"compare", "-baseline", file("contract.json"), file("merged.json")},
	}
	for _, format := range []string{"md", "html", "junit", "json"} {
		commands = append(commands, []string{"report", "-format", format, file("merged.json")})
	}
	outputs := map[string]string{}
	for i, args := range commands {
		if i < 3 {
			args = append(args, creds...)
		}
		code, stdout, stderr := run(t, args...)
		if code == exitUsage {
			t.Fatalf("slaspec %s: exit %d\n%s\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
		outputs[fmt.Sprintf("%s %d stdout", args[0], i)], outputs[fmt.Sprintf("%s %d stderr", args[0], i)] = stdout, stderr
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(file(e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		outputs[e.Name()] = string(b)
	}
	for name, out := range outputs {
		for _, secret := range testtool.Secrets() {
			if n := strings.Count(out, secret); n > 0 {
				t.Errorf("%s shows %q %d times", name, secret, n)
			}
		}
	}
	for _, name := range []string{"attack.json", "contract.json", "capacity.json", "capacity.html"} {
		if !strings.Contains(outputs[name], "REDACTED") {
			t.Errorf("%s does not say REDACTED: the echoes were not recorded", name)
		}
	}
}
