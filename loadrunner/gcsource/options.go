package gcsource

import (
	"fmt"
	"net/http"
	"time"
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
	client  *http.Client
	timeout time.Duration
	maxBody int64
	err     error // the first bad option, reported by Begin
}

func newConfig(opts []Option) config {
	c := config{timeout: DefaultTimeout, maxBody: DefaultMaxBody}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.client == nil {
		c.client = &http.Client{}
	}
	return c
}

func (c *config) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// WithHTTPClient makes the source scrape with client instead of its own.
func WithHTTPClient(client *http.Client) Option {
	return optionFunc(func(c *config) {
		if client == nil {
			c.fail(fmt.Errorf("gcsource: WithHTTPClient(nil)"))
			return
		}
		c.client = client
	})
}

// WithTimeout bounds each scrape (default DefaultTimeout). d must be positive.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail(fmt.Errorf("gcsource: WithTimeout(%v): must be positive", d))
			return
		}
		c.timeout = d
	})
}

// WithMaxBody bounds the response body a scrape reads (default
// DefaultMaxBody); a larger body fails the scrape. n must be positive.
func WithMaxBody(n int64) Option {
	return optionFunc(func(c *config) {
		if n <= 0 {
			c.fail(fmt.Errorf("gcsource: WithMaxBody(%d): must be positive", n))
			return
		}
		c.maxBody = n
	})
}
