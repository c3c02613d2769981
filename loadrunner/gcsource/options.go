package gcsource

import (
	"fmt"
	"net/http"
	"time"

	"github.com/slaspec/slaspec/internal/scrape"
)

// Defaults of the HTTP sources (Expvar, Prometheus).
const (
	// DefaultTimeout bounds one scrape of the service's endpoint.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxBody bounds the response body a scrape reads: 8 MiB.
	DefaultMaxBody = 8 << 20
)

// Option configures an HTTP source (Expvar, Prometheus).
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is the wiring of an HTTP source, with the defaults set in one place.
type config struct {
	http scrape.Settings
	err  error // the first bad option, reported by Begin
}

func newConfig(opts []Option) config {
	c := config{http: scrape.Settings{Timeout: DefaultTimeout, MaxBody: DefaultMaxBody}}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// fail keeps the first bad option's error.
func (c *config) fail(err error) {
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("gcsource: %w", err)
	}
}

// WithHTTPClient makes the source scrape with client instead of its own.
func WithHTTPClient(client *http.Client) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetClient(client)) })
}

// WithTimeout bounds each scrape (default DefaultTimeout). d must be positive.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetTimeout(d)) })
}

// WithMaxBody bounds the response body a scrape reads (default
// DefaultMaxBody); a larger body fails the scrape. n must be positive.
func WithMaxBody(n int64) Option {
	return optionFunc(func(c *config) { c.fail(c.http.SetMaxBody(n)) })
}
