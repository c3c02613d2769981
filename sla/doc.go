// Package sla judges a load run against a service-level budget. It holds
// the one SLA grammar every part of slaspec speaks (Go code, the OpenAPI
// x-sla extension, the command line) and its typed form, SLA; Evaluate,
// which turns a loadrunner.Result and an SLA into one Verdict per budget;
// and the verdicts' text for people (Explain, WriteVerdicts), which the
// matchers, the reports and the command line print. It imports no test
// framework.
//
// A verdict is about the service or it is inconclusive: a run whose
// generator could not keep its schedule, a percentile with too few samples
// and a partial run are never a pass; a run in which nothing succeeded is
// never anything but a failure.
package sla
