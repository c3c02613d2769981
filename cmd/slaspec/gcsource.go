package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// gcSourceFor picks the GC source for a URL: expvar for a /debug/vars path,
// Prometheus text format otherwise.
func gcSourceFor(raw string) (loadrunner.GCSource, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if strings.HasSuffix(u.Path, "/debug/vars") {
		return gcsource.Expvar(raw), nil
	}
	return gcsource.Prometheus(raw), nil
}
