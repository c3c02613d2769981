package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

func init() {
	register("contract", "load every operation of an OpenAPI document, check the contract and each budget", runContract)
}

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// contractFlags are the flags that choose operations and their requests,
// shared by slaspec contract and slaspec gen.
type contractFlags struct {
	spec                      string
	ids, tags, paths, methods listFlag
	deprecated                bool
	fetch                     *http.Client // fetches an https:// -spec (TLS flags); nil for the default
}

func (c *contractFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.spec, "spec", "", "the OpenAPI document: a file (OpenAPI 3.0/3.1 or Swagger 2.0, YAML or JSON), or an http(s) URL on loopback or a host in "+loadrunner.AllowHostsEnv+" (required)")
	fs.Var(&c.ids, "op", "select operations by operationId (repeatable, comma separated)")
	fs.Var(&c.tags, "tag", "select operations by tag")
	fs.Var(&c.paths, "path", "select operations by path glob, e.g. /pets/*")
	fs.Var(&c.methods, "method", "select operations by HTTP method")
	fs.BoolVar(&c.deprecated, "include-deprecated", false, "include deprecated operations")
}

// operations loads the document and selects its operations.
func (c *contractFlags) operations() (*contract.Document, []*contract.Operation, error) {
	if c.spec == "" {
		return nil, nil, fmt.Errorf("-spec is required")
	}
	var doc *contract.Document
	var err error
	if isURL(c.spec) {
		lopts := []contract.LoadOption{contract.WithAllowedHosts(os.Getenv(loadrunner.AllowHostsEnv))}
		if c.fetch != nil {
			lopts = append(lopts, contract.WithFetchClient(c.fetch))
		}
		doc, err = contract.LoadURL(context.Background(), c.spec, lopts...)
	} else {
		doc, err = contract.Load(c.spec)
	}
	if err != nil {
		return nil, nil, err
	}
	var sel []contract.Selector
	for _, s := range []struct {
		vals listFlag
		mk   func(...string) contract.Selector
	}{{c.ids, contract.ByID}, {c.tags, contract.ByTag}, {c.paths, contract.ByPath}, {c.methods, contract.ByMethod}} {
		if len(s.vals) > 0 {
			sel = append(sel, s.mk(s.vals...))
		}
	}
	if c.deprecated {
		sel = append(sel, contract.IncludeDeprecated())
	}
	ops, err := doc.Operations(sel...)
	if err != nil {
		return nil, nil, err
	}
	return doc, ops, nil
}

// isURL reports whether -spec names a document to fetch.
func isURL(spec string) bool {
	return strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://")
}

func runContract(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		cf                     contractFlags
		override               contract.LoadSpec
		budget                 string
		baseURL, jsonOut, auth string
		headers                headerFlags
		seed                   uint64
		remote                 remoteFlags
		mix, noDiscover        bool
		allowInconclusive      bool
		params                 paramFlags
		profile                profileFlags
		redact                 redactFlag
		connF                  connFlags
	)
	fs := newFlagSet("contract", "-spec FILE -url URL [flags]", stderr)
	cf.register(fs)
	fs.StringVar(&baseURL, "url", "", "the full base URL the document's paths are appended to, path included (the document's servers are ignored), e.g. http://127.0.0.1:8080/api (required)")
	suite := contract.DefaultLoadSpec()
	fs.Float64Var(&override.Rate, "rate", 0, fmt.Sprintf("rate for every operation, overriding x-sla (default: x-sla's, else %g req/s)", suite.Rate))
	fs.DurationVar(&override.Duration, "duration", 0, fmt.Sprintf("duration for every operation, overriding x-sla (default: x-sla's, else %s)", suite.Duration))
	fs.DurationVar(&override.Warmup, "warmup", 0, fmt.Sprintf("warm-up for every operation, overriding x-sla; 0s for none (default: x-sla's, else %s)", suite.Warmup))
	fs.StringVar(&budget, "sla", "", "budget for every operation, overriding x-sla (default: x-sla's, plus "+sla.ServiceErrorBudgets+")")
	fs.StringVar(&jsonOut, "json", "", "write the results to `file` as one JSON document")
	fs.Var(&headers, "header", "header `Name: value` on every request (repeatable), e.g. auth")
	fs.StringVar(&auth, "auth", "", "credentials for the document's security schemes: bearer:TOKEN, apikey:KEY or basic:USER:PASSWORD")
	fs.Uint64Var(&seed, "seed", uint64(time.Now().UnixNano()), "request-generation seed (default: a random one, printed so a run can be replayed)")
	fs.Var(&params, "param", "pin a parameter: `operationId.name=value`, or name=value for every operation that has it (repeatable), e.g. -param findPetByID.id=1000")
	fs.BoolVar(&allowInconclusive, "allow-inconclusive", false, "run even when the planned load cannot give a budget's percentile enough samples (it is then inconclusive)")
	fs.BoolVar(&noDiscover, "no-discover", false, "do not learn parameter values (ids) from the service's own list and create responses before each operation")
	connF.register(fs)
	remote.register(fs)
	profile.register(fs)
	redact.register(fs)
	fs.BoolVar(&mix, "mix", false, "load the selected operations together in one run, in the proportions of their x-sla weights, at the document's (or -rate's) rate")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	override.NoWarmup = override.Warmup == 0 && flagSet(fs, "warmup")
	if baseURL == "" {
		fmt.Fprintln(stderr, "slaspec contract: -url is required")
		return exitUsage
	}
	var err error
	if err = override.Validate(); err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
		return exitUsage
	}
	if budget != "" {
		if override.SLA, err = sla.Parse(budget); err != nil {
			fmt.Fprintf(stderr, "slaspec contract: -sla: %s\n", errorText(err))
			return exitUsage
		}
	}
	reqOpts, err := requestOptions(headers, auth, seed)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
		return exitUsage
	}
	conn, err := connF.build(stderr, "slaspec contract", baseURL, cf.spec)
	if err == nil && conn.proto != loadrunner.ProtocolHTTP1 {
		if err = loadrunner.HTTP(baseURL, conn.httpOptions()...).Validate(); err != nil {
			err = fmt.Errorf("-url: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
		return exitUsage
	}
	// One connection setting for discovery, every operation's load and
	// the document fetched from the service.
	reqOpts = append(reqOpts, redact.contractOption(), contract.WithHTTPOptions(conn.httpOptions()...))
	cf.fetch = conn.fetchClient()
	doc, ops, err := cf.operations()
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
		return exitUsage
	}
	pinned, err := params.options(ops)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: -param: %s\n", errorText(err))
		return exitUsage
	}
	reqOpts = append(reqOpts, pinned...)
	reqOpts = append(reqOpts, contract.WithSafety(remote.safety()))
	if noDiscover {
		reqOpts = append(reqOpts, contract.WithoutDiscovery())
	}
	if err := checkCredentials(ops, reqOpts); err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
		return exitUsage
	}
	if refuseInconclusive(stderr, "slaspec contract", planShortfalls(doc, ops, override, suite, mix), allowInconclusive) {
		return exitUsage
	}
	out := &report.Document{Suite: doc.Title(), Seed: int64(seed), Started: time.Now(), Environment: report.CurrentEnvironment(os.Getenv), Operations: []report.Entry{}}
	fmt.Fprintf(stdout, "%s: %s, seed %d\n", doc.Title(), sla.FormatCount(len(ops), "operation"), seed)
	for _, n := range doc.Notes() {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if _, err := profile.options(jsonOut, ""); err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %v\n", err)
		return exitUsage
	}
	worst := sla.Passed
	add := func(entry report.Entry) {
		out.Partial = out.Partial || entry.Result.Partial
		out.Operations = append(out.Operations, entry)
		if entry.OperationID == "" { // a mix as a whole: figures, no budget of its own
			fmt.Fprintf(stdout, "\n%s\n", entry.Name)
			sla.DescribeResult(stdout, entry.Result)
			return
		}
		printEntry(stdout, entry)
		worst = sla.Worse(worst, entry.Status)
	}
	if mix {
		popts, _ := profile.options(jsonOut, "mix")
		entries, err := runMix(ctx, doc, ops, baseURL, override, suite, reqOpts, append(remote.options(), popts...))
		if err != nil {
			fmt.Fprintf(stderr, "slaspec contract: -mix: %s\n", errorText(err))
			return exitUsage
		}
		for _, entry := range entries {
			add(entry)
		}
	} else {
		for _, op := range ops {
			if ctx.Err() != nil {
				out.Partial = true
				break
			}
			popts, _ := profile.options(jsonOut, cmp.Or(op.ID, op.Method+" "+op.Path))
			entry, err := runOperation(ctx, stdout, op, baseURL, override, suite, reqOpts, append(remote.options(), popts...)...)
			if err != nil {
				fmt.Fprintf(stdout, "\n%s\n  ERROR %s\n", op, errorText(err))
				worst = sla.Failed
				continue
			}
			add(entry)
		}
	}
	out.Ended = time.Now()
	if advice := notFoundAdvice(out.Operations); advice != "" {
		fmt.Fprintf(stdout, "\nnote: %s\n", advice)
	}
	if jsonOut != "" {
		b, _ := json.MarshalIndent(out, "", " ")
		if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "slaspec contract: %s\n", errorText(err))
			return exitFail
		}
	}
	if out.Partial { // interrupted: no pass can be claimed for what did not run
		worst = sla.Worse(worst, sla.Inconclusive)
	}
	return exitCode(worst)
}

// printEntry prints one operation's verdicts and findings.
func printEntry(w io.Writer, e report.Entry) {
	fmt.Fprintf(w, "\n%s (%s) %s\n", e.Name, e.OperationID, strings.ToUpper(string(e.Status)))
	sla.WriteVerdicts(w, sla.Evaluation{Verdicts: e.Verdicts})
	if p := resultProtocols(e.Result); p != "" && p != "HTTP/1.1" { // the default goes without saying
		fmt.Fprintf(w, "  protocol   %s\n", p)
	}
	if cause := sla.CPUInWindow(e.Result); cause != "" && e.Status != sla.Passed {
		fmt.Fprintf(w, "  %s\n", cause)
	}
	sla.WriteService(w, e.Result)
	for _, src := range e.Sources {
		fmt.Fprintf(w, "  values   %s\n", src)
	}
	for _, f := range e.Findings {
		at := ""
		if f.Pointer != "" {
			at = " at " + f.Pointer
		}
		fmt.Fprintf(w, "  finding  %d× status %d%s: %s\n", f.Count, f.Status, at, f.Reason)
	}
	if e.Coverage != nil {
		e.Coverage.WriteText(w)
	}
}

// notFoundAdvice names the base path when nearly every response was 404.
func notFoundAdvice(entries []report.Entry) string {
	var covs []contract.Coverage
	for _, e := range entries {
		if e.Coverage != nil {
			covs = append(covs, *e.Coverage)
		}
	}
	return contract.NotFoundAdvice(covs...)
}

// runMix loads the selected operations together, at the rate and duration
// of the command line, else the document's top-level x-sla, else the suite
// default, in the proportions of their weights, and judges each on its
// share against its own budget (or -sla's).
func runMix(ctx context.Context, doc *contract.Document, ops []*contract.Operation, baseURL string, override, suite contract.LoadSpec, opts []contract.Option, runOpts []loadrunner.Option) ([]report.Entry, error) {
	plan := override.Or(doc.LoadSpec()).Or(suite)
	user := map[string]contract.LoadSpec{}
	for _, op := range ops {
		user[op.ID] = contract.LoadSpec{SLA: override.SLA}
	}
	opts, err := contract.DiscoverEach(ctx, ops, baseURL, opts...)
	if err != nil {
		return nil, err
	}
	mix, prepared, err := contract.Mix(ops, baseURL, user, suite, opts...)
	if err != nil {
		return nil, err
	}
	res, err := loadrunner.Run(ctx, plan.Plan(), mix, runOpts...)
	if err != nil {
		return nil, err
	}
	name := "mix of " + doc.Title()
	whole := report.Entry{Name: name, Result: res}
	entries, err := report.MixEntries(name, res, prepared)
	return append([]report.Entry{whole}, entries...), err
}

// runOperation learns parameter values from the service (see
// contract.Operation.Discover), loads one operation and judges it.
func runOperation(ctx context.Context, w io.Writer, op *contract.Operation, baseURL string, user, suite contract.LoadSpec, opts []contract.Option, runOpts ...loadrunner.Option) (report.Entry, error) {
	learned, err := op.Discover(ctx, baseURL, opts...)
	if err != nil {
		return report.Entry{}, err
	}
	printDiscovery(w, learned)
	p, err := op.Prepare(baseURL, user, suite, append(opts, contract.WithLearned(learned))...)
	if err != nil {
		return report.Entry{}, err
	}
	out, err := p.Run(ctx, p.Plan(), runOpts...)
	if err != nil {
		return report.Entry{}, err
	}
	return report.OperationEntry(out), nil
}

// requestOptions turns -header, -auth and -seed into request options.
func requestOptions(headers headerFlags, auth string, seed uint64) ([]contract.Option, error) {
	opts := []contract.Option{contract.WithSeed(seed)}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		opts = append(opts, contract.WithHeader(strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	if auth == "" {
		return opts, nil
	}
	kind, cred, _ := strings.Cut(auth, ":")
	switch kind {
	case "bearer":
		opts = append(opts, contract.WithBearer(cred))
	case "apikey":
		opts = append(opts, contract.WithAPIKey(cred))
	case "basic":
		user, pass, ok := strings.Cut(cred, ":")
		if !ok {
			return nil, fmt.Errorf("-auth basic: want basic:USER:PASSWORD")
		}
		opts = append(opts, contract.WithBasic(user, pass))
	default:
		return nil, fmt.Errorf("-auth: unknown kind %q: use bearer:TOKEN, apikey:KEY or basic:USER:PASSWORD", kind)
	}
	return opts, nil
}

// resultProtocols names the protocols of res's responses ("" for none).
func resultProtocols(res *loadrunner.Result) string {
	if res == nil {
		return ""
	}
	return sla.FormatProtocols(res.Protocols)
}
