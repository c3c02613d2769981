package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
)

// connServers are the loopback servers the connection tests load.
type connServers struct {
	pki                        *testtool.PKI
	tls, h2, mtls, h2mtls, h2c string // base URLs
}

func startConnServers(t *testing.T) connServers {
	h := testtool.ProtoHandler()
	pki := testtool.NewPKI(t)
	return connServers{
		pki:    pki,
		tls:    pki.StartTLSServer(t, h, testtool.TLSServer{}).URL,
		h2:     pki.StartTLSServer(t, h, testtool.TLSServer{HTTP2: true}).URL,
		mtls:   pki.StartTLSServer(t, h, testtool.TLSServer{RequireClientCert: true}).URL,
		h2mtls: pki.StartTLSServer(t, h, testtool.TLSServer{HTTP2: true, RequireClientCert: true}).URL,
		h2c:    testtool.StartH2CServer(t, h).URL,
	}
}

// TestAttackConnections runs slaspec attack against loopback TLS, mTLS and
// h2c servers with each connection flag: the run passes over the protocol
// it asked for, recorded in the JSON result and named in the output, or
// fails (exit 1) naming the TLS failure.
func TestAttackConnections(t *testing.T) {
	s := startConnServers(t)
	ca, cert := []string{"-cacert", s.pki.CAFile}, []string{"-cert", s.pki.ClientCertFile, "-key", s.pki.ClientKeyFile}
	tests := []struct {
		name      string
		url       string
		flags     []string
		code      int
		wantProto string // in the JSON result and the output
		wantOut   string // in stdout
		wantErr   string // in stderr
	}{
		{"private CA with -cacert", s.tls, ca, exitOK, "HTTP/1.1", "", ""},
		{"private CA without -cacert", s.tls, nil, exitFail, "", "transport.tls", ""},
		{"-insecure", s.tls, []string{"-insecure"}, exitOK, "HTTP/1.1", "", "WARNING: -insecure"},
		{"mTLS with -cert -key", s.mtls, append(ca, cert...), exitOK, "HTTP/1.1", "", ""},
		{"mTLS without a client certificate", s.mtls, ca, exitFail, "", "transport.", ""},
		{"-http 2 over TLS", s.h2, append([]string{"-http", "2"}, ca...), exitOK, "HTTP/2.0", "", ""},
		{"-http 2 with mTLS", s.h2mtls, append([]string{"-http", "2"}, append(ca, cert...)...), exitOK, "HTTP/2.0", "", ""},
		{"-http 2 to a server without HTTP/2", s.tls, append([]string{"-http", "2"}, ca...), exitFail, "HTTP/1.1", "answered in HTTP/1.1, not HTTP/2", ""},
		{"default to an HTTP/2 server", s.h2, ca, exitOK, "HTTP/1.1", "", ""},
		{"-http h2c", s.h2c, []string{"-http", "h2c"}, exitOK, "HTTP/2.0", "", ""},
		{"default to an h2c server", s.h2c, nil, exitOK, "HTTP/1.1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "result.json")
			args := append([]string{"attack", "-url", tt.url, "-rate", "40", "-duration", "250ms", "-q", "-json", out}, tt.flags...)
			code, stdout, stderr := run(t, args...)
			// A generator stalled by a busy machine makes a good run
			// inconclusive (exit 3), never a failed one a pass.
			if code != tt.code && (tt.code != exitOK || code != exitInconclusive) {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.wantOut) || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stdout lacks %q or stderr lacks %q:\n%s\n%s", tt.wantOut, tt.wantErr, stdout, stderr)
			}
			if n := strings.Count(stderr, "WARNING: -insecure"); n > 1 {
				t.Errorf("the -insecure warning is said %d times", n)
			}
			res := readResult(t, out)
			if tt.wantProto == "" {
				return
			}
			if tt.code == exitOK && res.Errors.Total != 0 {
				t.Errorf("errors %v: %v", res.Errors.ByClass, res.Errors.Examples)
			}
			if res.Protocols[tt.wantProto] != res.Requests || res.Requests == 0 {
				t.Errorf("protocols %v of %d requests, want all %s", res.Protocols, res.Requests, tt.wantProto)
			}
			if !strings.Contains(stdout, "protocol   "+tt.wantProto) {
				t.Errorf("output does not name protocol %s:\n%s", tt.wantProto, stdout)
			}
		})
	}
}

func readResult(t *testing.T, path string) *loadrunner.Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res loadrunner.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// TestConnFlagErrors: connection flags that cannot work stop every
// command before anything is sent (exit 2), naming the flag and the file.
func TestConnFlagErrors(t *testing.T) {
	pki := testtool.NewPKI(t)
	dir := t.TempDir()
	empty, keyOnly := filepath.Join(dir, "empty.pem"), filepath.Join(dir, "key-only.pem")
	writeFile(t, empty, "")
	key, err := os.ReadFile(pki.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, keyOnly, string(key))
	tests := []struct {
		name  string
		url   string
		flags []string
		want  string
	}{
		{"-cert without -key", "https://127.0.0.1:1", []string{"-cert", pki.ClientCertFile}, "-cert and -key go together"},
		{"-key without -cert", "https://127.0.0.1:1", []string{"-key", pki.ClientKeyFile}, "-cert and -key go together"},
		{"-cacert missing", "https://127.0.0.1:1", []string{"-cacert", filepath.Join(dir, "nosuch.pem")}, "-cacert: open " + filepath.Join(dir, "nosuch.pem")},
		{"-cacert empty", "https://127.0.0.1:1", []string{"-cacert", empty}, "-cacert: " + empty + ": no PEM certificate in it"},
		{"-cacert holding a key", "https://127.0.0.1:1", []string{"-cacert", keyOnly}, "PEM block 1 is a PRIVATE KEY, not a CERTIFICATE"},
		{"-cert and -key swapped", "https://127.0.0.1:1", []string{"-cert", pki.ClientKeyFile, "-key", pki.ClientCertFile}, "-cert " + pki.ClientKeyFile},
		{"-insecure with -cacert", "https://127.0.0.1:1", []string{"-insecure", "-cacert", pki.CAFile}, "give one of them"},
		{"-insecure with http://", "http://127.0.0.1:1", []string{"-insecure"}, "-insecure is for https:// and http://127.0.0.1:1 is plain http://"},
		{"-cacert with http://", "http://127.0.0.1:1", []string{"-cacert", pki.CAFile}, "-cacert is for https:// and http://127.0.0.1:1 is plain http://"},
		{"-cert with http://", "http://127.0.0.1:1", []string{"-cert", pki.ClientCertFile, "-key", pki.ClientKeyFile}, "-cert is for https:// and http://127.0.0.1:1 is plain http://"},
		{"-http 3", "https://127.0.0.1:1", []string{"-http", "3"}, `-http "3": want 1.1, 2 or h2c`},
		{"-http 2 in clear text", "http://127.0.0.1:1", []string{"-http", "2"}, "for HTTP/2 in clear text use h2c"},
		{"-http h2c over TLS", "https://127.0.0.1:1", []string{"-http", "h2c"}, "over TLS use 2"},
	}
	commands := map[string][]string{
		"attack":   {"attack", "-rate", "1", "-duration", "1s"},
		"capacity": {"capacity", "-sla", "p50<1s"},
		"contract": {"contract", "-spec", bookstoreDoc},
	}
	for _, tt := range tests {
		for name, cmd := range commands {
			t.Run(name+" "+tt.name, func(t *testing.T) {
				args := append(append(append([]string(nil), cmd...), "-url", tt.url), tt.flags...)
				code, stdout, stderr := run(t, args...)
				if code != exitUsage || !strings.Contains(stderr, tt.want) || !strings.HasPrefix(stderr, "slaspec "+name+": ") {
					t.Errorf("exit %d, stderr %q, want exit %d and %q\n%s", code, stderr, exitUsage, tt.want, stdout)
				}
			})
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestContractConnections: slaspec contract fetches the document from an
// HTTP/2 service that requires a client certificate from a private CA,
// learns ids from it and loads it over HTTP/2, all with the same
// connection flags; without -cacert the fetch fails, naming the cause.
func TestContractConnections(t *testing.T) {
	spec, err := os.ReadFile(petstoreDoc)
	if err != nil {
		t.Fatal(err)
	}
	pki := testtool.NewPKI(t)
	srv := pki.StartTLSServer(t, petstore.New().Handler("/api", spec), testtool.TLSServer{HTTP2: true, RequireClientCert: true})
	out := filepath.Join(t.TempDir(), "contract.json")
	conn := []string{"-cacert", pki.CAFile, "-cert", pki.ClientCertFile, "-key", pki.ClientKeyFile, "-http", "2"}
	args := append([]string{"contract", "-spec", srv.URL + "/api/openapi.yaml", "-url", srv.URL + "/api", "-op", "findPets,findPetByID",
		"-rate", "50", "-duration", "400ms", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3", "-json", out}, conn...)
	code, stdout, stderr := run(t, args...)
	if (code != exitOK && code != exitInconclusive) || strings.Count(stdout, "PASS         2xx observed") != 2 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "protocol   HTTP/2.0") {
		t.Errorf("output does not name HTTP/2:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range doc.Operations {
		if e.Result.Protocols["HTTP/2.0"] != e.Result.Requests || e.Result.Requests == 0 {
			t.Errorf("%s: protocols %v of %d requests", e.Name, e.Result.Protocols, e.Result.Requests)
		}
	}
	code, _, stderr = run(t, append([]string{"contract", "-spec", srv.URL + "/api/openapi.yaml", "-url", srv.URL + "/api"}, conn[2:]...)...)
	if code != exitUsage || !strings.Contains(stderr, "certificate signed by unknown authority") {
		t.Errorf("without -cacert: exit %d, %s", code, stderr)
	}
}

// TestGenFetchesOverTLS: slaspec gen fetches an https:// document from a
// service that requires a client certificate from a private CA with the
// TLS flags; without -cacert the fetch fails, naming the cause, and gen
// has no -http (it sends no load).
func TestGenFetchesOverTLS(t *testing.T) {
	spec, err := os.ReadFile(petstoreDoc)
	if err != nil {
		t.Fatal(err)
	}
	pki := testtool.NewPKI(t)
	srv := pki.StartTLSServer(t, petstore.New().Handler("/api", spec), testtool.TLSServer{RequireClientCert: true})
	args := []string{"gen", "-spec", srv.URL + "/api/openapi.yaml", "-doc-path", "openapi.yaml", "-op", "findPets", "-cert", pki.ClientCertFile, "-key", pki.ClientKeyFile}
	code, src, stderr := run(t, append(args, "-cacert", pki.CAFile)...)
	if code != exitOK || !strings.Contains(src, `operation("findPets")`) {
		t.Fatalf("exit %d\n%s\n%s", code, src, stderr)
	}
	if code, _, stderr := run(t, args...); code != exitUsage || !strings.Contains(stderr, "certificate signed by unknown authority") {
		t.Errorf("without -cacert: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, append(args, "-http", "2")...); code != exitUsage || !strings.Contains(stderr, "flag provided but not defined: -http") {
		t.Errorf("-http: exit %d, %s", code, stderr)
	}
}
