package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// DefaultFetchTimeout bounds LoadURL's request unless WithFetchTimeout
// says otherwise.
const DefaultFetchTimeout = 10 * time.Second

// WithAllowedHosts lets LoadURL fetch from the hosts allowList names (the
// syntax of loadrunner.AllowHostsEnv: "api.example.com,*.internal:8443");
// loopback hosts are always allowed, every other host is refused.
func WithAllowedHosts(allowList string) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.allowHosts = allowList })
}

// WithFetchClient makes LoadURL fetch with client (TLS settings, a proxy);
// its redirects are still limited to the document's host.
func WithFetchClient(client *http.Client) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.client = client })
}

// WithFetchTimeout bounds LoadURL's request (default DefaultFetchTimeout).
func WithFetchTimeout(d time.Duration) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.timeout = d })
}

// LoadURL fetches the document the service serves at rawURL (http or
// https) and loads it as LoadBytes does. Only loopback hosts and the hosts
// WithAllowedHosts names are fetched from; the body is bounded by
// MaxDocumentSize, the request by a timeout, redirects by the document's
// host. Relative-file $refs cannot be followed from a fetched document.
func LoadURL(ctx context.Context, rawURL string, opts ...LoadOption) (*Document, error) {
	cfg := loadConfig{timeout: DefaultFetchTimeout}
	for _, o := range opts {
		o.applyLoad(&cfg)
	}
	data, err := fetch(ctx, rawURL, cfg)
	if err != nil {
		return nil, fmt.Errorf("contract: load %s: %w", redacted(rawURL), redactedError{err, nil})
	}
	doc, err := LoadBytes(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, redacted(rawURL))
	}
	return doc, nil
}

// fetch gets the document's bytes under the safety rules.
func fetch(ctx context.Context, rawURL string, cfg loadConfig) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("want an http or https URL with a host")
	}
	ok, err := loadrunner.HostAllowed(rawURL, cfg.allowHosts)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("host %s is not loopback and not in the allow-list (%s): %w", u.Host, loadrunner.AllowHostsEnv, loadrunner.ErrTargetRefused)
	}
	client := http.Client{Timeout: cfg.timeout}
	if cfg.client != nil {
		client = *cfg.client
		if client.Timeout == 0 {
			client.Timeout = cfg.timeout
		}
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != u.Host || len(via) >= 5 {
			return fmt.Errorf("redirect to %s refused: only up to 5, on %s", req.URL.Host, u.Host)
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/yaml, application/x-yaml, text/yaml, */*;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d, want 200", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocumentSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("document exceeds the %d byte bound", MaxDocumentSize)
	}
	return data, nil
}

// redacted renders a URL without its userinfo and secret query values.
func redacted(raw string) string { return (*loadrunner.Redactor)(nil).URL(raw) }
