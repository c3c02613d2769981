// Package report holds slaspec's report document — the one merged, lossless
// JSON that is the source of truth — and renders it as Markdown, JUnit and a
// self-contained HTML page. It imports no test framework.
package report

import (
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// Document is a whole SLA report: every load spec or operation of a suite run
// (or of a `slaspec contract` run), with its plan, budget, verdicts and full
// result.
type Document struct {
	// Suite names the suite (or the OpenAPI document) the report covers.
	Suite string `json:"suite,omitempty"`
	// Started and Ended bound the run (wall clock).
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
	// Partial is true when the run was interrupted before it ended.
	Partial bool `json:"partial,omitempty"`
	// Seed is the request-generation seed, when requests were generated.
	Seed int64 `json:"seed,omitempty"`
	// Environment describes where the load was generated.
	Environment Environment `json:"environment,omitzero"`
	// Operations holds one entry per load spec or operation.
	Operations []Entry `json:"operations"`
}

// Environment describes the machine and build a report was made on.
type Environment struct {
	GoVersion  string `json:"go_version,omitempty"`
	GOMAXPROCS int    `json:"gomaxprocs,omitempty"`
	NumCPU     int    `json:"num_cpu,omitempty"`
	Hostname   string `json:"hostname,omitempty"`
	GitCommit  string `json:"git_commit,omitempty"`
	Shard      string `json:"shard,omitempty"`
}

// Entry is one load spec or operation.
type Entry struct {
	// Name is the spec's full text, or "GET /pets/{id}" for an operation.
	Name string `json:"name"`
	// OperationID, Method and Path identify an OpenAPI operation, when known.
	OperationID string `json:"operation_id,omitempty"`
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	// Labels are the spec's Ginkgo labels.
	Labels []string `json:"labels,omitempty"`
	// SLA is the budget (canonical text in JSON).
	SLA sla.SLA `json:"sla,omitzero"`
	// Status and Verdicts are the evaluation of SLA against Result.
	Status   sla.Status    `json:"status,omitempty"`
	Verdicts []sla.Verdict `json:"verdicts,omitempty"`
	// Result is the load runner's full result.
	Result *loadrunner.Result `json:"result,omitempty"`
	// Fingerprint identifies the generated request pool, when there was one.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Sources say where each parameter's values came from (pinned, learned
	// from the service's responses, the document's examples, the schema).
	Sources []contract.ParamSource `json:"sources,omitempty"`
	// Findings are deduplicated contract findings, with counts.
	Findings []Finding `json:"findings,omitempty"`
	// Coverage is which documented responses of the operation were
	// observed; an operation whose documented success never was is judged
	// inconclusive (see contract.Judge).
	Coverage *contract.Coverage `json:"coverage,omitempty"`
	// SpecState is the state of the test spec that made the entry when it
	// did not pass ("failed", "interrupted", "timedout", …; see MarkSpec).
	SpecState string `json:"spec_state,omitempty"`
	// SpecFailure is that spec's failure message.
	SpecFailure string `json:"spec_failure,omitempty"`
	// Capacity is the entry's capacity search, when it was one; Result is
	// then its highest passing step's (or, when none passed, its first).
	Capacity *capacity.Result `json:"capacity,omitempty"`
}

// Finding is one kind of contract violation seen under load, with how often.
type Finding struct {
	Operation string `json:"operation"`
	Status    int    `json:"status,omitempty"`
	Pointer   string `json:"pointer,omitempty"`
	Reason    string `json:"reason"`
	Count     uint64 `json:"count"`
}
