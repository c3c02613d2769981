// Package loadrunner applies a planned load to a target and measures it
// truthfully. It imports no test framework: package matchers judges its
// Result, and everything else in slaspec builds on the two.
//
// # Open model and closed model
//
// A Plan with a Rate is an open model: requests are sent on a fixed schedule
// (Rate per second, optionally ramped through Stages), whether or not earlier
// requests have answered, the way independent users arrive at a service. When
// the service slows down, requests pile up in flight (up to MaxInFlight);
// past that bound a send waits and goes out late, and past MaxLag it is
// dropped and counted; the run is then flagged service-backlogged (the
// service's responses did not come back in time: a measurement of the
// service, not a failure of the generator). A Plan with
// Concurrency is a closed model: that many workers send back to back, which
// measures a different thing (how fast the service drains a fixed queue) and
// has no schedule to be late against.
//
// # Coordinated omission
//
// Latency is measured from each request's intended send time, not from the
// moment it actually went out. A tool that waits for a slot before it starts
// its clock (as closed-model tools do) omits exactly the waits a user would
// have suffered while the service was stalled, and reports percentiles far
// below the truth. Result.Latency is the corrected distribution;
// Result.ServiceTime (from the actual send) and Result.SendLag (actual minus
// intended) are kept beside it so the difference is visible. Latency ends
// when the response has been read (or drained): response checks, contract
// validation and a journey's captures run after that instant and are timed
// apart (Result.Checks), so a slow check never reads as a slow service.
// Latency and ServiceTime hold the successful requests; the failed ones'
// latency is FailedLatency, so fast failures cannot flatter the percentiles.
//
// # Honest about the load delivered
//
// A Result says how much of the plan really went out (Planned, Sent,
// Dropped, Late, AchievedRate) and tells apart two reasons for sending late.
// ServiceBacklogged: every in-flight slot was busy because responses did not
// come back in time (SlotWaits) — the service's behaviour under the planned
// load, measured exactly from the intended send times. GeneratorSaturated:
// the generator could not keep its schedule for reasons of its own — sends
// late although slots were free (GeneratorLag p99 beyond 500 times
// LateAfter), a stall of the whole process (one send held back more than
// 1000 times LateAfter), drops with slots free, its CPU above 95% of
// GOMAXPROCS, more than 10% of the window in its GC pauses — and it did not
// apply the planned load. Smaller generator lag, the scheduling noise of a
// busy machine, stays in GeneratorLag for the verdicts to weigh. Go's timers
// wake at about one-millisecond granularity when the process is otherwise
// idle, so on Linux the dispatcher waits for each send on a timerfd armed
// and polled through the netpoller instead, which wakes at the kernel
// timer's precision (send lag p50 about 50 µs instead of 0.5 ms on
// loopback) for one system call per wait; sends already due go out back to
// back without a wait, and a send due in less than 20 µs is waited for by
// yielding. The dispatcher wakes for its sends at most once per 100 µs (or
// a tenth of LateAfter, when that is shorter): a send due sooner after its
// last wake-up goes out at the end of that window with the others due by
// then, so above 10,000 requests a second the wake-ups, most of an open
// model's cost to the generator, stay at 10,000 a second; the wait is send
// lag, counted in the latency as all send lag is. WithCoarsePacing goes
// back to Go timers. Either way the send lag is reported, never hidden.
// Before the schedule starts, a run on the lean engine opens as many
// connections (each a worker's) as its start rate sends in a millisecond,
// so that the first sends of a fast schedule do not each dial one.
//
// # HTTP engines
//
// An HTTP target sends with the lean engine by default: slaspec's own
// HTTP/1.1 client, in which every worker of a run writes its request and
// reads the response on a kept-alive connection of its own, with the
// request's bytes built once and nothing allocated per request (with a
// WithCheck, the copy of the response's head that its header slices: the
// *http.Response and its header are reused). Response heads are bounded at 64 KiB
// and bodies at WithMaxBody; Content-Length, chunked and close-delimited
// bodies are read, drained unless something needs them; a kept-alive
// connection the server closed is retried once on a new one, as net/http
// does; redirects are followed within the base URL's scheme and host, at
// most ten. The phases (Connect, TLS, TTFB, ConnReused) and the error
// classes are those of net/http. WithProtocol(ProtocolHTTP2) (HTTP/2 over
// TLS) and WithProtocol(ProtocolH2C) (HTTP/2 in clear text) select the
// net/http engine, as WithClient (proxies, a transport of one's own) does,
// and WithEngine chooses explicitly; requests to another origin than the
// base URL's go through net/http either way. WithTLSConfig (a private CA,
// a client certificate, skipped verification) applies to both engines.
// Result.Protocols counts the responses by the protocol they came over.
//
// # The service under test: GC, runtime, profiles
//
// WithGCSource reads the service's GC over the measured window (sources in
// loadrunner/gcsource); a source that is also a RuntimeSampler is read once
// per time-series interval, on a goroutine of its own, for the service's
// goroutines, heap, scheduling latency and GC per interval (Interval.Runtime)
// and their summary (Result.Runtime). WithProfileSource captures the
// service's pprof profiles over the window (sources in
// loadrunner/pprofsource): a CPU profile from the window's start, the
// allocations the window made, goroutines at its end (Result.Profiles).
// Neither touches the warm-up, and neither is used unless attached.
//
// # Constant memory, exact merges
//
// Distributions are HdrHistograms (1 ns to 1 h, three significant digits):
// recording costs no allocation, memory does not grow with the run's length,
// and histograms of several runs, processes or machines merge exactly (Merge).
// A Result serializes to JSON losslessly, histograms in HdrHistogram's
// compressed V2 encoding, base64 (see docs/result-format.md in the
// repository).
package loadrunner
