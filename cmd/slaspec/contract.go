package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/ginkgo-plugin/report"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
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
}

func (c *contractFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.spec, "spec", "", "the OpenAPI document (YAML or JSON; required)")
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
	doc, err := contract.Load(c.spec)
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

func runContract(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		cf                     contractFlags
		override               contract.SLA
		baseURL, jsonOut, auth string
		headers                headerFlags
		seed                   uint64
		remote                 remoteFlags
	)
	fs := flag.NewFlagSet("slaspec contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf.register(fs)
	fs.StringVar(&baseURL, "url", "", "base URL of the service (required)")
	fs.Float64Var(&override.Rate, "rate", 0, "rate for every operation, overriding the document's x-sla")
	fs.DurationVar(&override.Duration, "duration", 0, "duration for every operation, overriding x-sla")
	fs.DurationVar(&override.Warmup, "warmup", 0, "warm-up for every operation, overriding x-sla")
	fs.StringVar(&override.Budget, "sla", "", "budget for every operation, overriding x-sla")
	fs.StringVar(&jsonOut, "json", "", "write the results to `file` as one JSON document")
	fs.Var(&headers, "header", "header `Name: value` on every request (repeatable), e.g. auth")
	fs.StringVar(&auth, "auth", "", "credentials for the document's security schemes: bearer:TOKEN, apikey:KEY or basic:USER:PASSWORD")
	fs.Uint64Var(&seed, "seed", uint64(time.Now().UnixNano()), "request-generation seed (printed, so a run can be replayed)")
	remote.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if baseURL == "" {
		fmt.Fprintln(stderr, "slaspec contract: -url is required")
		return exitUsage
	}
	if err := override.Validate(); err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %v\n", err)
		return exitUsage
	}
	if override.Budget != "" {
		if _, err := matchers.Parse(override.Budget); err != nil {
			fmt.Fprintf(stderr, "slaspec contract: -sla: %v\n", err)
			return exitUsage
		}
	}
	reqOpts, err := requestOptions(headers, auth, seed)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %v\n", err)
		return exitUsage
	}
	doc, ops, err := cf.operations()
	if err != nil {
		fmt.Fprintf(stderr, "slaspec contract: %v\n", err)
		return exitUsage
	}
	suite := contract.SLA{Rate: 50, Duration: 5 * time.Second, Warmup: time.Second}
	out := &report.Document{Suite: doc.Title(), Seed: int64(seed), Started: time.Now(), Environment: report.CurrentEnvironment()}
	fmt.Fprintf(stdout, "%s: %d operations, seed %d\n", doc.Title(), len(ops), seed)
	worst := matchers.Passed
	for _, op := range ops {
		if ctx.Err() != nil {
			out.Partial = true
			break
		}
		entry, err := runOperation(ctx, op, baseURL, override, suite, reqOpts, remote.options()...)
		if err != nil {
			fmt.Fprintf(stdout, "\n%s\n  ERROR %v\n", op, err)
			worst = matchers.Failed
			continue
		}
		out.Partial = out.Partial || entry.Result.Partial
		out.Operations = append(out.Operations, entry)
		fmt.Fprintf(stdout, "\n%s (%s) %s\n", op, op.ID, strings.ToUpper(string(entry.Status)))
		matchers.WriteVerdicts(stdout, matchers.Evaluation{Verdicts: entry.Verdicts})
		for _, f := range entry.Findings {
			fmt.Fprintf(stdout, "  finding  %d× status %d %s: %s\n", f.Count, f.Status, f.Pointer, f.Reason)
		}
		if rank(entry.Status) > rank(worst) {
			worst = entry.Status
		}
	}
	out.Ended = time.Now()
	if jsonOut != "" {
		b, _ := json.MarshalIndent(out, "", " ")
		if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "slaspec contract: %v\n", err)
			return exitFail
		}
	}
	if out.Partial {
		return exitFail
	}
	return exitCode(worst)
}

// runOperation loads one operation and judges it.
func runOperation(ctx context.Context, op *contract.Operation, baseURL string, user, suite contract.SLA, opts []contract.Option, runOpts ...loadrunner.Option) (report.Entry, error) {
	p, err := op.Prepare(baseURL, user, suite, opts...)
	if err != nil {
		return report.Entry{}, err
	}
	sla, err := matchers.Parse(p.Budget)
	if err != nil {
		return report.Entry{}, err
	}
	res, err := loadrunner.Run(ctx, p.Plan(), p.Target, append(runOpts, matchers.AbortWhenLost(sla))...)
	if err != nil {
		return report.Entry{}, err
	}
	e := report.Entry{Name: op.String(), OperationID: op.ID, Method: op.Method, Path: op.Path, Labels: op.Labels(),
		Result: res, Fingerprint: p.Pool.Fingerprint, Findings: report.FindingsFrom(p.Findings.List())}
	return e, e.Judge(p.Budget)
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

// rank orders statuses from best to worst.
func rank(s matchers.Status) int {
	switch s {
	case matchers.Failed:
		return 2
	case matchers.Inconclusive:
		return 1
	}
	return 0
}
