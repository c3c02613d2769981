package loadrunner

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Hosts returns the hosts the target's requests go to ("host:port"): the
// base URL's and those of requests given with absolute URLs (and, for a
// journey, of steps whose URL names a fixed host). A request built during
// the run (WithRequestFunc, a journey step whose URL comes from a captured
// value) for any other host is refused, with class transport.other, so the
// list the safety guard checked is the whole truth.
func (t *HTTPTarget) Hosts() []string {
	out := make([]string, len(t.hosts))
	for i, h := range t.hosts {
		out[i] = h.String()
	}
	return out
}

// addHost records the host of u among the target's hosts.
func (t *HTTPTarget) addHost(u *url.URL) {
	h := urlHost(u.Scheme, u.Hostname(), u.Port())
	h.host = strings.TrimSuffix(strings.ToLower(h.host), ".")
	if !slices.Contains(t.hosts, h) {
		t.hosts = append(t.hosts, h)
	}
}

// knows reports whether u goes to one of the target's hosts.
func (t *HTTPTarget) knows(u *url.URL) bool {
	h := urlHost(u.Scheme, u.Hostname(), u.Port())
	h.host = strings.TrimSuffix(strings.ToLower(h.host), ".")
	return slices.Contains(t.hosts, h)
}

// runtimeRequest prepares a request built during the run, refusing a host
// the target did not report before it.
func (t *HTTPTarget) runtimeRequest(r Request) (preparedRequest, error) {
	p, err := t.prepare1(r)
	if err != nil {
		return p, ClassError(ClassCheck, err)
	}
	if !t.knows(p.url) {
		return p, ClassError(ClassTransport, fmt.Errorf("request to host %q refused: not among the target's hosts (%s) that the safety guard checked", p.url.Host, strings.Join(t.Hosts(), ", ")))
	}
	return p, nil
}

// urlHost pairs a URL's host with its port, or the scheme's default port.
func urlHost(scheme, host, port string) hostPort {
	if port == "" {
		port = "80"
		if strings.EqualFold(scheme, "https") {
			port = "443"
		}
	}
	return hostPort{host: host, port: port}
}

// Hosts returns the hosts the journey's steps go to: the base URL's and
// those of steps whose URL names a fixed host (see HTTPTarget.Hosts).
func (j *JourneyTarget) Hosts() []string { return j.http.Hosts() }

// addStepHosts records the hosts of steps whose absolute URL names a fixed
// host (no "{var}" in it).
func (j *JourneyTarget) addStepHosts() {
	for _, st := range j.steps {
		u, err := url.Parse(st.Request.URL)
		if err == nil && u.IsAbs() && !strings.Contains(u.Host, "{") {
			j.http.addHost(u)
		}
	}
}

// Hosts returns no host: Func's function is the caller's own code, and the
// safety guard does not look inside it.
func (funcTarget) Hosts() []string { return nil }

// Unwrap returns the targets of the mix's operations, in order, so the
// safety guard checks each one's hosts.
func (m *MixTarget) Unwrap() []Target {
	out := make([]Target, len(m.parts))
	for i, p := range m.parts {
		out[i] = p.Target
	}
	return out
}
