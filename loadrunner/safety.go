package loadrunner

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A load test aims traffic at a URL somebody typed. Run guards a target
// against the expensive mistakes before it sends anything: a host outside
// loopback gets a bounded rate, duration and concurrency unless the caller
// raises them (Safety.Limits, WithRemoteLimits) or allow-lists the host
// (Safety.AllowHosts), which also refuses every other host. The guard finds
// a target's hosts through HostTarget, looking through Wrapper and
// Composite; a target whose hosts it cannot find is limited as a remote one.

// The limits Run applies to a target host outside loopback (127.0.0.0/8,
// ::1, localhost) unless Safety.Limits raises them. Loopback targets are
// never limited.
const (
	// DefaultRemoteMaxRate is the highest planned rate in requests per second.
	DefaultRemoteMaxRate = 100.0
	// DefaultRemoteMaxDuration bounds the warm-up plus the measured window.
	DefaultRemoteMaxDuration = time.Minute
	// DefaultRemoteMaxConcurrency bounds a closed-model run's workers.
	DefaultRemoteMaxConcurrency = 10
)

// AllowHostsEnv names the environment variable from which the slaspec CLI
// and the Ginkgo plugin read Safety.AllowHosts (comma-separated patterns).
// The loadrunner package itself never reads the environment.
const AllowHostsEnv = "SLASPEC_ALLOW_HOSTS"

// ErrTargetRefused is wrapped by the error Run returns when the safety guard
// refuses a target: a host outside the allow-list, or a plan above the
// remote limits.
var ErrTargetRefused = errors.New("target refused")

// Safety is the configuration of the guard Run applies before it sends
// anything (WithSafety). The zero value is the default: remote hosts get the
// default limits, every host is allowed, and a target whose hosts are
// unknown is limited as a remote one.
type Safety struct {
	// Limits bound a run at a host outside loopback; a zero field keeps its
	// default. Set, they also apply to hosts AllowHosts names.
	Limits RemoteLimits
	// AllowHosts, when not empty, is an allow-list: Run refuses a target
	// host outside loopback that matches no pattern. A pattern is a host
	// ("api.example.com", "10.0.0.7", "::1"), a host and port
	// ("api.example.com:8443", "[::1]:8080") or a wildcard for the
	// subdomains of a domain ("*.example.com"); host names match
	// case-insensitively, a pattern without a port matches any port, and
	// empty patterns are skipped. A host the list names was chosen
	// explicitly: the default remote limits do not apply to it (Limits, when
	// set, still do). Loopback hosts are always allowed.
	AllowHosts []string
	// TrustUnknownHosts runs a target whose hosts the guard cannot find (it
	// is not a HostTarget and does not unwrap to one) as a loopback target:
	// unlimited, whatever the allow-list. By default such a target is
	// limited like a host outside loopback, and refused when AllowHosts is
	// set.
	TrustUnknownHosts bool
}

// RemoteLimits bounds a run whose target host is outside loopback. A zero
// field keeps its default (DefaultRemoteMaxRate, DefaultRemoteMaxDuration,
// DefaultRemoteMaxConcurrency); a negative field is an error. The limits
// apply to the plan as written: for a sharded plan, to the whole rate of all
// shards, since together they load the same host.
type RemoteLimits struct {
	// MaxRate is the highest planned rate in requests per second: Plan.Rate,
	// or the highest From or To of Plan.Stages.
	MaxRate float64
	// MaxDuration bounds Plan.Warmup plus the measured window.
	MaxDuration time.Duration
	// MaxConcurrency bounds Plan.Concurrency (closed model).
	MaxConcurrency int
}

// WithSafety sets the whole configuration of the safety guard.
func WithSafety(s Safety) Option { return optionFunc(func(c *config) { c.safety = s }) }

// WithRemoteLimits sets Safety.Limits: it raises (or lowers) the limits a
// run applies to a target host outside loopback, including allow-listed
// hosts. It does not bypass the allow-list: a host outside it is refused
// whatever the limits.
//
//	loadrunner.Run(ctx, plan, loadrunner.HTTP("https://staging.example.com"),
//		loadrunner.WithRemoteLimits(loadrunner.RemoteLimits{MaxRate: 2000, MaxDuration: 10 * time.Minute}))
func WithRemoteLimits(l RemoteLimits) Option {
	return optionFunc(func(c *config) { c.safety.Limits = l })
}

// WithAllowHosts sets Safety.AllowHosts, the allow-list of target hosts.
func WithAllowHosts(patterns ...string) Option {
	return optionFunc(func(c *config) { c.safety.AllowHosts = patterns })
}

// hostPort is a target host and the port its URL's scheme implies.
type hostPort struct {
	host, port string
}

func (h hostPort) String() string { return net.JoinHostPort(h.host, h.port) }

// check refuses plan against target when the allow-list or the remote
// limits forbid it.
func (s Safety) check(plan Plan, target Target) error {
	limits, err := s.Limits.withDefaults()
	if err != nil {
		return err
	}
	allow, err := parseAllowList(s.AllowHosts)
	if err != nil {
		return err
	}
	hosts, unknown := hostsOf(target, 0)
	for _, h := range hosts {
		if isLoopback(h.host) {
			continue
		}
		listed := allow != nil && allow.allows(h)
		if allow != nil && !listed {
			return fmt.Errorf("loadrunner: safety: host %s is not in the allow-list %q: %w", h, strings.Join(s.AllowHosts, ","), ErrTargetRefused)
		}
		if listed && s.Limits == (RemoteLimits{}) {
			continue
		}
		if err := limits.check(plan, h.String(), raiseHint); err != nil {
			return err
		}
	}
	if len(unknown) == 0 || s.TrustUnknownHosts {
		return nil
	}
	what := fmt.Sprintf("a target whose hosts are unknown (%s)", strings.Join(unknown, ", "))
	if allow != nil {
		return fmt.Errorf("loadrunner: safety: %s cannot be checked against the allow-list %q (%s): %w", what, strings.Join(s.AllowHosts, ","), unknownHint, ErrTargetRefused)
	}
	return limits.check(plan, what, unknownHint)
}

// CheckHosts applies the safety guard of opts (WithSafety, WithAllowHosts)
// to a target that is about to get a handful of requests outside Run (such
// as a contract's discovery requests): a host outside the allow-list, or a
// target whose hosts are unknown while there is one, is refused with an
// error wrapping ErrTargetRefused. Loopback hosts always pass.
func CheckHosts(target Target, opts ...Option) error {
	return CheckSafety(Plan{Rate: 1, Duration: time.Second}, target, opts...)
}

// HostAllowed reports whether the host of rawURL may be sent a request
// that no plan bounds (such as fetching an OpenAPI document from the
// service): it is loopback, or allowList (comma-separated patterns, as in
// Safety.AllowHosts and AllowHostsEnv) names it.
func HostAllowed(rawURL, allowList string) (bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false, fmt.Errorf("loadrunner: safety: %w", err)
	}
	h := urlHost(u.Scheme, u.Hostname(), u.Port())
	if isLoopback(h.host) {
		return true, nil
	}
	var patterns []string
	if strings.TrimSpace(allowList) != "" {
		patterns = strings.Split(allowList, ",")
	}
	allow, err := parseAllowList(patterns)
	if err != nil {
		return false, err
	}
	return allow != nil && allow.allows(h), nil
}

// How to get past a refusal.
const (
	raiseHint   = "raise it with loadrunner.WithRemoteLimits or the CLI's -remote-max-* flags, or name the host in " + AllowHostsEnv
	unknownHint = "make the target a loadrunner.HostTarget, or a Wrapper of one, or set Safety.TrustUnknownHosts if it sends only where you mean it to"
)

// hostsOf returns the hosts target sends to, looking through wrappers and
// composites, and describes the targets (by type) whose hosts are unknown.
func hostsOf(target Target, depth int) (hosts []hostPort, unknown []string) {
	if depth > maxUnwrap || target == nil {
		return nil, []string{fmt.Sprintf("%T", target)}
	}
	switch t := target.(type) {
	case HostTarget:
		for _, h := range t.Hosts() {
			host, port, err := net.SplitHostPort(h)
			if err != nil {
				return nil, []string{fmt.Sprintf("%T reports host %q", target, h)}
			}
			hosts = append(hosts, hostPort{host: host, port: port})
		}
		return hosts, nil
	case Wrapper:
		return hostsOf(t.Unwrap(), depth+1)
	case Composite:
		for _, inner := range t.Unwrap() {
			h, u := hostsOf(inner, depth+1)
			hosts, unknown = append(hosts, h...), append(unknown, u...)
		}
		return hosts, unknown
	}
	return nil, []string{fmt.Sprintf("%T", target)}
}

// withDefaults checks l and fills its zero fields with the defaults.
func (l RemoteLimits) withDefaults() (RemoteLimits, error) {
	switch {
	case l.MaxRate < 0:
		return l, fmt.Errorf("loadrunner: remote limits: max rate %g is negative", l.MaxRate)
	case l.MaxDuration < 0:
		return l, fmt.Errorf("loadrunner: remote limits: max duration %s is negative", l.MaxDuration)
	case l.MaxConcurrency < 0:
		return l, fmt.Errorf("loadrunner: remote limits: max concurrency %d is negative", l.MaxConcurrency)
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
	return l, nil
}

// check refuses a plan above the limits for where (a host, or a target
// whose hosts are unknown); hint says how to get past it.
func (l RemoteLimits) check(p Plan, where, hint string) error {
	if rate := peakRate(p); p.Concurrency == 0 && rate > l.MaxRate {
		return fmt.Errorf("loadrunner: safety: rate %g req/s to %s exceeds the %g req/s limit for hosts outside loopback (%s): %w", rate, where, l.MaxRate, hint, ErrTargetRefused)
	}
	if d := p.Warmup + p.MeasuredDuration(); d > l.MaxDuration {
		return fmt.Errorf("loadrunner: safety: duration %s (warm-up included) to %s exceeds the %s limit for hosts outside loopback (%s): %w", d, where, l.MaxDuration, hint, ErrTargetRefused)
	}
	if p.Concurrency > l.MaxConcurrency {
		return fmt.Errorf("loadrunner: safety: concurrency %d to %s exceeds the %d limit for hosts outside loopback (%s): %w", p.Concurrency, where, l.MaxConcurrency, hint, ErrTargetRefused)
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

// allowList is a parsed Safety.AllowHosts.
type allowList []hostPattern

// hostPattern is one allow-list entry; an empty port matches any port, a
// host beginning "*." matches the subdomains of the rest.
type hostPattern struct {
	host, port string
}

// parseAllowList parses Safety.AllowHosts; no patterns give a nil list
// (every host allowed).
func parseAllowList(patterns []string) (allowList, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	var list allowList
	for _, entry := range patterns {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := parsePattern(entry)
		if err != nil {
			return nil, fmt.Errorf("loadrunner: safety: allow-list entry %q: %w", entry, err)
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("loadrunner: safety: allow-list %q holds no host", strings.Join(patterns, ","))
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

// CheckSafety returns the error Run would give plan and target under the
// safety configuration of opts (WithSafety, WithRemoteLimits,
// WithAllowHosts), without running anything; nil when the guard lets them
// through. A capacity search uses it to refuse its highest step before it
// runs the first.
func CheckSafety(plan Plan, target Target, opts ...Option) error {
	var cfg config
	for _, o := range opts {
		o.apply(&cfg)
	}
	return cfg.safety.check(plan, target)
}
