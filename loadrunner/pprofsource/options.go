package pprofsource

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/slaspec/slaspec/internal/scrape"
)

// Defaults of the sources.
const (
	// DefaultTimeout bounds one profile request to a remote service; a CPU
	// profile's request is given its duration on top.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBody bounds a profile as received (gzip-compressed): 32 MiB.
	DefaultMaxBody = 32 << 20
	// DefaultTop is the number of functions kept in each top list.
	DefaultTop = 10
)

// inflation bounds how much larger than its body a profile may be once
// decompressed (Go's profiles inflate 3–6 times).
const inflation = 8

// Option configures a source.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is the wiring of a source, with the defaults set in one place.
type config struct {
	dir        string
	http       scrape.Settings
	maxProfile int64
	top        int
	allow      []string
	err        error // the first bad option, reported by Validate and Begin
}

func newConfig(opts []Option) config {
	c := config{http: scrape.Settings{Timeout: DefaultTimeout, MaxBody: DefaultMaxBody}, top: DefaultTop}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	c.maxProfile = inflation * c.http.MaxBody
	return c
}

func (c *config) fail(err error) {
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("pprofsource: %w", err)
	}
}

// WithDir makes the source write each profile of the window into dir
// (created if needed) as a gzip-compressed protobuf that `go tool pprof`
// opens: cpu.pb.gz, allocs.pb.gz, goroutine.pb.gz, and mutex.pb.gz and
// block.pb.gz when the service has those profiles on. Without it only the
// summaries are kept. Give each run its own folder (one per operation):
// a later run overwrites the files.
func WithDir(dir string) Option {
	return optionFunc(func(c *config) {
		if dir == "" {
			c.fail(fmt.Errorf("WithDir(\"\"): want a folder"))
			return
		}
		c.dir = dir
	})
}

// WithHTTPClient makes a remote source use client instead of its own.
func WithHTTPClient(client *http.Client) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetClient(client)) })
}

// WithTimeout bounds each request of a remote source (default
// DefaultTimeout); the CPU profile's request gets its duration on top. d
// must be positive.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetTimeout(d)) })
}

// WithMaxBody bounds a profile as a remote service sends it (default
// DefaultMaxBody), and at 8 × n once decompressed, in-process profiles
// too; a larger profile fails. n must be positive.
func WithMaxBody(n int64) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetMaxBody(n)) })
}

// WithTop sets how many functions each top list keeps (default DefaultTop).
// n must be positive.
func WithTop(n int) Option {
	return optionFunc(func(c *config) {
		if n <= 0 {
			c.fail(fmt.Errorf("WithTop(%d): must be positive", n))
			return
		}
		c.top = n
	})
}

// WithAllowHosts lets a remote source read hosts outside loopback that match
// one of patterns, in the syntax of loadrunner.AllowHostsEnv: a host
// ("staging.example.com", "10.0.0.7"), a host and port
// ("staging.example.com:6060") or the subdomains of a domain
// ("*.example.com"). Loopback hosts need no pattern. Profiling costs the
// service CPU and a stop-the-world pause per goroutine profile, so no other
// host is read unless named.
func WithAllowHosts(patterns ...string) Option {
	return optionFunc(func(c *config) { c.allow = append(c.allow, patterns...) })
}

// maxRunDir bounds the length of a run's folder name.
const maxRunDir = 80

// RunDir is the folder under base for the profiles of the run called name
// (an operation, a spec): name with every byte other than a letter, a digit,
// '.', '_' and '-' replaced by '_', no leading or trailing dot, and at most
// 80 bytes, so it is one folder inside base whatever the name holds.
func RunDir(base, name string) string {
	b := []byte(name[:min(len(name), maxRunDir)])
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	safe := strings.Trim(string(b), ".")
	if safe == "" {
		safe = "_"
	}
	return filepath.Join(base, safe)
}
