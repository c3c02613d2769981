package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runMainEnv makes the test binary act as the bookstore command, so the
// signal test exercises the real main.
const runMainEnv = "BOOKSTORE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{"bookstore"}, strings.Fields(os.Getenv(runMainEnv+"_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// waitListening reads stdout until the listening line and returns the URL.
func waitListening(t *testing.T, stdout io.Reader) string {
	t.Helper()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v (got %q)", err, line)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q, want listening on http://127.0.0.1:PORT", line)
	}
	return url
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunServesUntilCancelled(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantPrice string // how the price of book 1 starts in GET /books/1
	}{
		{"good", []string{"-addr", "127.0.0.1:0", "-books", "20"}, `"price":`},
		{"regressed", []string{"-addr", "127.0.0.1:0", "-books", "20", "-regressed"}, `"price":"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- run(ctx, tt.args, pw, io.Discard) }()
			url := waitListening(t, pr)
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			status, body := get(t, url+"/books/1")
			if status != http.StatusOK || !strings.Contains(body, tt.wantPrice) {
				t.Errorf("GET /books/1: %d %s, want 200 with %s", status, body, tt.wantPrice)
			}
			if status, _ := get(t, url+"/debug/vars"); status != http.StatusOK {
				t.Errorf("GET /debug/vars: %d", status)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run returned %v after cancel, want nil", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("run did not return after cancel")
			}
		})
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown flag", []string{"-port", "80"}, "port"},
		{"bad books", []string{"-books", "-1"}, "books -1"},
		{"books not a number", []string{"-books", "many"}, "books"},
		{"extra argument", []string{"serve"}, "serve"},
		{"unusable address", []string{"-addr", "127.0.0.1:notaport"}, "127.0.0.1:notaport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%v) = %v, want an error naming %q", tt.args, err, tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q before failing", stdout.String())
			}
		})
	}
}

// TestSignalShutsDownGracefully runs the real main in a child process and
// stops it with SIGTERM.
func TestSignalShutsDownGracefully(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), runMainEnv+"=1", runMainEnv+"_ARGS=-addr 127.0.0.1:0 -books 10")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the command: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	url := waitListening(t, stdout)
	if status, _ := get(t, url+"/books?limit=1"); status != http.StatusOK {
		t.Errorf("GET /books: %d", status)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signalling: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("command exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("command did not exit after SIGTERM")
	}
}
