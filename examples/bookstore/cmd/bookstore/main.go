// Command bookstore serves the example bookstore API of slaspec's SLA suite.
//
// Usage:
//
//	bookstore [-addr 127.0.0.1:8080] [-regressed] [-seed 0] [-books 1000]
//
// It prints "listening on http://ADDR" once it accepts connections, serves
// GET /debug/vars for remote GC figures and /debug/pprof/ for profiles, and
// shuts down gracefully on SIGINT or SIGTERM, letting requests in flight
// finish.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

// shutdownGrace bounds how long requests in flight may take to finish after
// a shutdown signal.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, addr, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bookstore: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           service.New(opts),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("bookstore: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("bookstore: shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bookstore: serve: %w", err)
	}
	return nil
}

// parseFlags reads the command line into service options and an address.
func parseFlags(args []string, stderr io.Writer) (service.Options, string, error) {
	fs := flag.NewFlagSet("bookstore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	var opts service.Options
	fs.BoolVar(&opts.Regressed, "regressed", false, "serve the regressed build: quadratic search, copying list, price as a string")
	fs.Int64Var(&opts.Seed, "seed", 0, "seed of the generated catalog")
	fs.IntVar(&opts.Books, "books", service.DefaultBooks, "number of books in the generated catalog")
	if err := fs.Parse(args); err != nil {
		return opts, "", fmt.Errorf("bookstore: %w", err)
	}
	if fs.NArg() > 0 {
		return opts, "", fmt.Errorf("bookstore: unexpected arguments %q", fs.Args())
	}
	if err := opts.Validate(); err != nil {
		return opts, "", err
	}
	return opts, *addr, nil
}
