package gcsource

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// endpoint is the URL an HTTP source scrapes.
type endpoint struct {
	url  string // as requested
	name string // for reports: userinfo redacted
	err  error  // a bad URL, reported by Begin
}

// parseEndpoint checks raw and adds defaultPath when raw has no path.
func parseEndpoint(kind, raw, defaultPath string) endpoint {
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{url: raw, name: kind + " " + raw, err: fmt.Errorf("gcsource: %s url: %w", kind, err)}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return endpoint{url: raw, name: kind + " " + u.Redacted(),
			err: fmt.Errorf("gcsource: %s url %q: want http(s)://host[:port][/path]", kind, u.Redacted())}
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultPath
	}
	return endpoint{url: u.String(), name: kind + " " + u.Redacted()}
}

// fetch GETs the endpoint within the configured timeout and returns its body,
// read up to the configured bound.
func fetch(ctx context.Context, c *config, e endpoint, accept string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url, nil)
	if err != nil {
		return nil, fmt.Errorf("gcsource: %s: %w", e.name, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gcsource: %s: %w", e.name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("gcsource: %s: status %s", e.name, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("gcsource: %s: reading body: %w", e.name, err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("gcsource: %s: body larger than %d bytes", e.name, c.maxBody)
	}
	return body, nil
}
