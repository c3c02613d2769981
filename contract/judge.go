package contract

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// CoverageBudget is the name of the verdict Judge adds for coverage.
const CoverageBudget = "2xx observed"

// notFoundShare is the share of 404 responses past which the base path is
// the likely cause.
const notFoundShare = 0.9

// Judge evaluates an operation's run: res against want (the zero SLA
// judges no budget) and, when cov is not nil, the coverage verdict (see
// Coverage.Verdict), so that an operation whose documented success was
// never observed is inconclusive, never a pass. Prepared.Run, and so
// `slaspec contract` and the Ginkgo plugin, and report merges all judge
// operations through it.
func Judge(res *loadrunner.Result, want sla.SLA, cov *Coverage) sla.Evaluation {
	ev := sla.Evaluation{SLA: want, Status: sla.Passed}
	if !want.IsZero() {
		ev = sla.Evaluate(res, want)
	}
	if cov == nil {
		return ev
	}
	v := cov.Verdict()
	ev.Verdicts = append(ev.Verdicts, v)
	ev.Status = sla.Worse(ev.Status, v.Status)
	return ev
}

// Successes counts the responses that show the operation working: those
// whose status matched a documented 2xx response ("200", "2XX"), or, when
// the operation documents none, every 2xx response.
func (c Coverage) Successes() int64 {
	var keys []string
	for _, r := range c.Responses {
		if r.Documented && strings.HasPrefix(r.Status, "2") && !slices.Contains(keys, r.Status) {
			keys = append(keys, r.Status)
		}
	}
	var n int64
	for code, count := range c.StatusCodes {
		st := strconv.Itoa(code)
		switch {
		case len(keys) == 0 && code >= 200 && code < 300:
			n += count
		case slices.Contains(keys, st), len(st) == 3 && slices.Contains(keys, st[:1]+"XX"):
			n += count
		}
	}
	return n
}

// Verdict judges the coverage: it passes when a success (see Successes) was
// observed and is inconclusive otherwise, with the reason and its likely
// cause: path parameters that name nothing, a base path that misses the
// API, missing credentials, requests the service refuses.
func (c Coverage) Verdict() sla.Verdict {
	n := c.Successes()
	v := sla.Verdict{Budget: CoverageBudget, Status: sla.Passed, Value: float64(n), Limit: 1,
		Samples: uint64(max(c.Total, 0)), Implicit: true,
		Observed: fmt.Sprintf("%s of %s", formatCount(n), plural(c.Total, "response"))}
	if n > 0 {
		v.Margin = 1
		return v
	}
	v.Status, v.Margin = sla.Inconclusive, -1
	if c.Total == 0 {
		v.Detail = "no response was received, so nothing shows the operation working"
		return v
	}
	v.Detail = fmt.Sprintf("no 2xx response in %s: %s", plural(c.Total, "response"), c.statusSummary()) + c.hint()
	return v
}

// statusSummary says which statuses were seen: "all 404" or "404 ×120, 400 ×30".
func (c Coverage) statusSummary() string {
	codes := make([]int, 0, len(c.StatusCodes))
	for code := range c.StatusCodes {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b int) int {
		if c.StatusCodes[a] != c.StatusCodes[b] {
			return int(c.StatusCodes[b] - c.StatusCodes[a])
		}
		return a - b
	})
	if len(codes) == 1 {
		return fmt.Sprintf("all %d", codes[0])
	}
	var parts []string
	for i, code := range codes {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more", len(codes)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%d ×%d", code, c.StatusCodes[code]))
	}
	return strings.Join(parts, ", ")
}

// dominant returns the most frequent status code and its share.
func (c Coverage) dominant() (int, float64) {
	best, n := 0, int64(-1)
	for code, count := range c.StatusCodes {
		if count > n || (count == n && code < best) {
			best, n = code, count
		}
	}
	if c.Total == 0 {
		return 0, 0
	}
	return best, float64(n) / float64(c.Total)
}

// hint names the likely cause of the dominant status.
func (c Coverage) hint() string {
	code, share := c.dominant()
	if share < 0.5 {
		return ""
	}
	switch {
	case code == 404 && len(c.PathParams) > 0:
		h := fmt.Sprintf(" — are the path parameters (%s) real? pin them with -param %s.%s=VALUE or contract.WithParam",
			strings.Join(c.PathParams, ", "), c.OperationID, c.PathParams[0])
		if share >= notFoundShare && c.ServersPath != "" {
			h += "; or is the base path right? " + basePathAdvice(c.ServersPath)
		}
		return h
	case code == 404:
		return " — is the base path right? " + basePathAdvice(c.ServersPath)
	case code == 401 || code == 403:
		return " — are credentials missing? give them with -auth or -header (contract.WithBearer, WithAPIKey, WithHeader)"
	case code == 400 || code == 422:
		return " — the service refuses the generated requests: pin values with -param (contract.WithParam) or add examples to the document"
	case code == 405 || code == 501:
		return " — the service does not implement the operation"
	}
	return ""
}

// basePathAdvice explains the base-path rule, naming the document's path.
func basePathAdvice(serversPath string) string {
	if serversPath == "" {
		return "-url is the full base URL the document's paths are appended to"
	}
	return fmt.Sprintf("the document's servers say %s, and -url is the full base URL the paths are appended to (the servers are ignored): try -url http://HOST:PORT%s", serversPath, serversPath)
}

// NotFoundAdvice returns advice about the base path when at least 90 % of
// the responses of all the operations were 404, "" otherwise.
func NotFoundAdvice(covs ...Coverage) string {
	var total, notFound int64
	servers := ""
	for _, c := range covs {
		total += c.Total
		notFound += c.StatusCodes[404]
		if servers == "" {
			servers = c.ServersPath
		}
	}
	if total == 0 || float64(notFound) < notFoundShare*float64(total) {
		return ""
	}
	return fmt.Sprintf("%s of %s were 404: check the base path: %s",
		formatCount(notFound), plural(total, "response"), basePathAdvice(servers))
}

// WriteText renders the coverage as indented lines for a console: every
// documented response with its count (or "never"), then the undocumented
// ones that were seen.
func (c Coverage) WriteText(w io.Writer) {
	fmt.Fprintf(w, "  responses: %s (warm-up included)\n", plural(c.Total, "response"))
	width := 0
	for _, r := range c.Responses {
		width = max(width, len(r.label()))
	}
	for _, r := range c.Responses {
		count := "never"
		if r.Count > 0 {
			count = "×" + formatCount(r.Count)
		}
		line := fmt.Sprintf("    %-*s %s", width, r.label(), count)
		if codes := r.codes(); codes != "" {
			line += " (" + codes + ")"
		}
		if !r.Documented {
			line += "  undocumented"
		}
		fmt.Fprintln(w, line)
	}
}

// label is "200 application/json" or "204 (no content)".
func (r ResponseCount) label() string {
	if r.ContentType == "" {
		return r.Status + " (no content)"
	}
	return r.Status + " " + r.ContentType
}

// codes lists the codes counted under a range or default: "404 ×30, 500 ×2".
func (r ResponseCount) codes() string {
	keys := make([]int, 0, len(r.Codes))
	for k := range r.Codes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d ×%s", k, formatCount(r.Codes[k])))
	}
	return strings.Join(parts, ", ")
}

// ServersPath returns the path of the document's first server URL (its
// variables set to their defaults), "" when there is none or it is "/".
// Requests never use it: the base URL a run is given is the full base.
func (d *Document) ServersPath() string {
	if len(d.t.Servers) == 0 || d.t.Servers[0] == nil {
		return ""
	}
	s := d.t.Servers[0]
	raw := serverVarRE.ReplaceAllStringFunc(s.URL, func(m string) string {
		if v, ok := s.Variables[m[1:len(m)-1]]; ok && v != nil {
			return v.Default
		}
		return m
	})
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

func formatCount(n int64) string { return strconv.FormatInt(n, 10) }

// plural renders "1 response" or "150 responses".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatCount(n) + " " + noun + "s"
}
