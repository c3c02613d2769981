package loadrunner

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// A load test aims traffic at a URL somebody typed. Run guards an HTTP target
// against the expensive mistakes before it sends anything: a host outside
// loopback gets a bounded rate, duration and concurrency unless the caller
// raises them with WithRemoteLimits or names the host in the environment's
// allow-list (AllowHostsEnv), which also refuses every other host.

// The limits Run applies to a target host outside loopback (127.0.0.0/8,
// ::1, localhost) unless WithRemoteLimits raises them. Loopback targets are
// never limited.
const (
	// DefaultRemoteMaxRate is the highest planned rate in requests per second.
	DefaultRemoteMaxRate = 100.0
	// DefaultRemoteMaxDuration bounds the warm-up plus the measured window.
	DefaultRemoteMaxDuration = time.Minute
	// DefaultRemoteMaxConcurrency bounds a closed-model run's workers.
	DefaultRemoteMaxConcurrency = 10
)

// AllowHostsEnv names the environment variable holding an optional
// allow-list of target hosts: comma-separated patterns, each a host
// ("api.example.com", "10.0.0.7", "::1"), a host and port
// ("api.example.com:8443", "[::1]:8080") or a wildcard for the subdomains of
// a domain ("*.example.com"). Host names match case-insensitively; a pattern
// without a port matches any port. When the variable is set and not empty,
// Run refuses an HTTP target whose host matches no pattern. A host the list
// names was chosen explicitly: the default remote limits do not apply to it
// (limits given with WithRemoteLimits still do). Loopback hosts are always
// allowed: their traffic never leaves the machine.
const AllowHostsEnv = "SLASPEC_ALLOW_HOSTS"

// ErrTargetRefused is wrapped by the error Run returns when the safety guard
// refuses a target: a host outside the allow-list, or a plan above the
// remote limits.
var ErrTargetRefused = errors.New("target refused")

// RemoteLimits bounds a run whose HTTP target host is outside loopback. A
// zero field keeps its default (DefaultRemoteMaxRate,
// DefaultRemoteMaxDuration, DefaultRemoteMaxConcurrency); a negative field is
// an error. The limits apply to the plan as written: for a sharded plan, to
// the whole rate of all shards, since together they load the same host.
type RemoteLimits struct {
	// MaxRate is the highest planned rate in requests per second: Plan.Rate,
	// or the highest From or To of Plan.Stages.
	MaxRate float64
	// MaxDuration bounds Plan.Warmup plus the measured window.
	MaxDuration time.Duration
	// MaxConcurrency bounds Plan.Concurrency (closed model).
	MaxConcurrency int
}

// WithRemoteLimits raises (or lowers) the limits a run applies to an HTTP
// target host outside loopback, including hosts named in AllowHostsEnv. It
// does not bypass the allow-list: a host outside it is refused whatever the
// limits.
//
//	loadrunner.Run(ctx, plan, loadrunner.HTTP("https://staging.example.com"),
//		loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 2000, MaxDuration: 10 * time.Minute}))
func WithRemoteLimits(l RemoteLimits) Option { return remoteLimitsOption(l) }

// remoteLimitsOption is found among a run's options by checkSafety; it sets
// nothing in the run's config.
type remoteLimitsOption RemoteLimits

func (remoteLimitsOption) apply(*config) {}

// hostTarget is a target that can say which hosts it sends to.
type hostTarget interface {
	targetHosts() []hostPort
}

// hostPort is a target host and the port its URL's scheme implies.
type hostPort struct {
	host, port string
}

func (h hostPort) String() string { return net.JoinHostPort(h.host, h.port) }

// checkSafety refuses plan against target when the allow-list or the remote
// limits forbid it. Targets that do not send to hosts are not checked.
func checkSafety(plan Plan, target Target, opts []Option) error {
	ht, ok := target.(hostTarget)
	if !ok {
		return nil
	}
	limits, explicit, err := remoteLimits(opts)
	if err != nil {
		return err
	}
	allow, err := parseAllowList(os.Getenv(AllowHostsEnv))
	if err != nil {
		return err
	}
	for _, h := range ht.targetHosts() {
		if isLoopback(h.host) {
			continue
		}
		listed := allow != nil && allow.allows(h)
		if allow != nil && !listed {
			return fmt.Errorf("loadrunner: safety: host %s is not in %s=%q: %w", h, AllowHostsEnv, os.Getenv(AllowHostsEnv), ErrTargetRefused)
		}
		if listed && !explicit {
			continue
		}
		if err := limits.check(plan, h); err != nil {
			return err
		}
	}
	return nil
}

// CheckHosts applies the safety guard's allow-list (AllowHostsEnv) to a
// target that is about to get a handful of requests outside Run (such as a
// contract's discovery requests): a host outside the list is refused with
// an error wrapping ErrTargetRefused. Loopback hosts always pass.
func CheckHosts(target Target) error {
	return checkSafety(Plan{Rate: 1, Duration: time.Second}, target, nil)
}

// HostAllowed reports whether the host of rawURL may be sent a request
// that no plan bounds (such as fetching an OpenAPI document from the
// service): it is loopback, or allowList (a list in AllowHostsEnv's syntax,
// normally that variable's value) names it.
func HostAllowed(rawURL, allowList string) (bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false, fmt.Errorf("loadrunner: safety: %w", err)
	}
	h := urlHost(u.Scheme, u.Hostname(), u.Port())
	if isLoopback(h.host) {
		return true, nil
	}
	allow, err := parseAllowList(allowList)
	if err != nil {
		return false, err
	}
	return allow != nil && allow.allows(h), nil
}

// remoteLimits returns the limits the options set, defaults filled in, and
// whether an option set them.
func remoteLimits(opts []Option) (l RemoteLimits, explicit bool, err error) {
	for _, o := range opts {
		if r, ok := o.(remoteLimitsOption); ok {
			l, explicit = RemoteLimits(r), true
		}
	}
	switch {
	case l.MaxRate < 0:
		return l, explicit, fmt.Errorf("loadrunner: remote limits: max rate %g is negative", l.MaxRate)
	case l.MaxDuration < 0:
		return l, explicit, fmt.Errorf("loadrunner: remote limits: max duration %s is negative", l.MaxDuration)
	case l.MaxConcurrency < 0:
		return l, explicit, fmt.Errorf("loadrunner: remote limits: max concurrency %d is negative", l.MaxConcurrency)
	}
	if l.MaxRate == 0 {
		l.MaxRate = DefaultRemoteMaxRate
	}
	if l.MaxDuration == 0 {
		l.MaxDuration = DefaultRemoteMaxDuration
	}
	if l.MaxConcurrency == 0 {
		l.MaxConcurrency = DefaultRemoteMaxConcurrency
	}
	return l, explicit, nil
}

// check refuses a plan above the limits for host h.
func (l RemoteLimits) check(p Plan, h hostPort) error {
	const raise = "raise it with loadrunner.WithRemoteLimits, or name the host in " + AllowHostsEnv
	if rate := peakRate(p); p.Concurrency == 0 && rate > l.MaxRate {
		return fmt.Errorf("loadrunner: safety: rate %g req/s to %s exceeds the %g req/s limit for hosts outside loopback (%s): %w", rate, h, l.MaxRate, raise, ErrTargetRefused)
	}
	if d := p.Warmup + p.MeasuredDuration(); d > l.MaxDuration {
		return fmt.Errorf("loadrunner: safety: duration %s (warm-up included) to %s exceeds the %s limit for hosts outside loopback (%s): %w", d, h, l.MaxDuration, raise, ErrTargetRefused)
	}
	if p.Concurrency > l.MaxConcurrency {
		return fmt.Errorf("loadrunner: safety: concurrency %d to %s exceeds the %d limit for hosts outside loopback (%s): %w", p.Concurrency, h, l.MaxConcurrency, raise, ErrTargetRefused)
	}
	return nil
}

// peakRate returns the highest rate p plans, in requests per second.
func peakRate(p Plan) float64 {
	if len(p.Stages) == 0 {
		return p.Rate
	}
	var peak float64
	for _, s := range p.Stages {
		peak = max(peak, s.From, s.To)
	}
	return peak
}

// isLoopback reports whether host (a name or an IP, without brackets) is
// "localhost" or a loopback address. Other names are not resolved: a name
// that resolves to loopback still counts as remote.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// allowList is a parsed AllowHostsEnv value.
type allowList []hostPattern

// hostPattern is one allow-list entry; an empty port matches any port, a
// host beginning "*." matches the subdomains of the rest.
type hostPattern struct {
	host, port string
}

// parseAllowList parses the value of AllowHostsEnv; an empty value gives a
// nil list (every host allowed).
func parseAllowList(s string) (allowList, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var list allowList
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := parsePattern(entry)
		if err != nil {
			return nil, fmt.Errorf("loadrunner: safety: %s entry %q: %w", AllowHostsEnv, entry, err)
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("loadrunner: safety: %s=%q holds no host", AllowHostsEnv, s)
	}
	return list, nil
}

// parsePattern parses one allow-list entry.
func parsePattern(entry string) (hostPattern, error) {
	p := hostPattern{host: entry}
	if h, port, err := net.SplitHostPort(entry); err == nil {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 {
			return p, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		p.host, p.port = h, strconv.Itoa(n)
	} else if strings.HasPrefix(entry, "[") {
		p.host = strings.TrimSuffix(strings.TrimPrefix(entry, "["), "]")
	}
	p.host = strings.TrimSuffix(strings.ToLower(p.host), ".")
	name := strings.TrimPrefix(p.host, "*.")
	switch {
	case name == "":
		return p, errors.New("no host")
	case strings.ContainsAny(name, "*/ @?#"):
		return p, errors.New("a host may hold a wildcard only as a leading \"*.\" and no / @ ? # or space")
	}
	return p, nil
}

// allows reports whether some pattern of l matches h.
func (l allowList) allows(h hostPort) bool {
	host := strings.TrimSuffix(strings.ToLower(h.host), ".")
	for _, p := range l {
		if p.port != "" && p.port != h.port {
			continue
		}
		if suffix, ok := strings.CutPrefix(p.host, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if a, err := netip.ParseAddr(host); err == nil {
			if b, err := netip.ParseAddr(p.host); err == nil && a.Unmap() == b.Unmap() {
				return true
			}
			continue
		}
		if host == p.host {
			return true
		}
	}
	return false
}

// targetHosts returns the hosts the target's requests go to: the base URL's
// and those of requests given with absolute URLs. Requests built by
// WithRequestFunc are not known before the run.
func (t *HTTPTarget) targetHosts() []hostPort {
	if t.base == nil {
		return nil
	}
	hosts := []hostPort{urlHost(t.base.Scheme, t.base.Hostname(), t.base.Port())}
	for _, p := range t.pool {
		h := urlHost(p.url.Scheme, p.url.Hostname(), p.url.Port())
		if h != hosts[0] {
			hosts = append(hosts, h)
		}
	}
	return hosts
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

// targetHosts returns the hosts of every operation of the mix.
func (m *MixTarget) targetHosts() []hostPort {
	var out []hostPort
	for _, p := range m.parts {
		if ht, ok := p.Target.(hostTarget); ok {
			out = append(out, ht.targetHosts()...)
		}
	}
	return out
}

// targetHosts returns the hosts the journey's steps go to.
func (j *JourneyTarget) targetHosts() []hostPort { return j.http.targetHosts() }
