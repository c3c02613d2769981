package gcsource

import (
	"context"
	"fmt"
	"net/url"
)

// endpoint is the URL an HTTP source scrapes.
type endpoint struct {
	url  *url.URL // as requested; nil when err is set
	name string   // for reports: userinfo redacted
	err  error    // a bad URL, reported by Begin
}

// parseEndpoint checks raw and adds defaultPath when raw has no path.
func parseEndpoint(kind, raw, defaultPath string) endpoint {
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{name: kind + " " + raw, err: fmt.Errorf("gcsource: %s url: %w", kind, err)}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return endpoint{name: kind + " " + u.Redacted(),
			err: fmt.Errorf("gcsource: %s url %q: want http(s)://host[:port][/path]", kind, u.Redacted())}
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultPath
	}
	return endpoint{url: u, name: kind + " " + u.Redacted()}
}

// fetch GETs the endpoint within the configured timeout and returns its body,
// read up to the configured bound.
func fetch(ctx context.Context, c *config, e endpoint, accept string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.http.Timeout)
	defer cancel()
	body, err := c.http.Get(ctx, e.url, accept)
	if err != nil {
		return nil, fmt.Errorf("gcsource: %s: %w", e.name, err)
	}
	return body, nil
}
