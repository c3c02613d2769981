// Package scrape is the HTTP reading that the runtime sources share
// (gcsource's expvar and Prometheus sources, pprofsource's remote one): a
// client, a timeout and a body bound, each checked when set, and one
// bounded GET.
package scrape

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Settings are a source's HTTP wiring.
type Settings struct {
	// Client sends the requests; nil means a plain http.Client.
	Client *http.Client
	// Timeout bounds one request; the caller applies it (a CPU profile's
	// request gets its duration on top).
	Timeout time.Duration
	// MaxBody bounds the body read; a larger one fails the request.
	MaxBody int64
}

// SetClient sets the client; nil is an error naming WithHTTPClient.
func (s *Settings) SetClient(c *http.Client) error {
	if c == nil {
		return errors.New("WithHTTPClient(nil)")
	}
	s.Client = c
	return nil
}

// SetTimeout sets the timeout; d must be positive.
func (s *Settings) SetTimeout(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("WithTimeout(%v): must be positive", d)
	}
	s.Timeout = d
	return nil
}

// SetMaxBody sets the body bound; n must be positive.
func (s *Settings) SetMaxBody(n int64) error {
	if n <= 0 {
		return fmt.Errorf("WithMaxBody(%d): must be positive", n)
	}
	s.MaxBody = n
	return nil
}

// Get GETs u (asking for accept when not empty) within ctx and returns its
// body, read up to MaxBody. A status other than 200 is an error quoting
// the start of the body. Errors name u with its password redacted.
func (s Settings) Get(ctx context.Context, u *url.URL, accept string) ([]byte, error) {
	where := "GET " + u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := s.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, redact(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil, fmt.Errorf("%s: status %s: %s", where, resp.Status, strings.TrimSpace(string(msg)))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading body: %w", where, err)
	}
	if int64(len(body)) > s.MaxBody {
		return nil, fmt.Errorf("%s: body larger than %d bytes", where, s.MaxBody)
	}
	return body, nil
}

// redact keeps a URL's password out of a client error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return &url.Error{Op: ue.Op, URL: u.Redacted(), Err: ue.Err}
		}
	}
	return err
}
