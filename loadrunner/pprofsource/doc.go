// Package pprofsource captures the pprof profiles of the service under test
// over a load run's measured window, so that a broken budget comes with its
// cause. Each constructor returns a loadrunner.ProfileSource; attach one
// with loadrunner.WithProfileSource and the result's Profiles field says,
// per profile, where the file is and which functions took the largest
// shares:
//
//	res, err := loadrunner.Run(ctx, plan, target, loadrunner.WithProfileSource(
//		pprofsource.Remote("http://127.0.0.1:8080/debug/pprof/", pprofsource.WithDir("profiles/search"))))
//	// res.Profiles.CPU.TopOwn[0]: {Function: ".../service.(*server).rankQuadratic", Flat: 0.02, Cum: 0.63}
//
// (The package is not called "profile" so that it reads beside
// github.com/google/pprof/profile, which it uses, and beside gcsource.)
//
// # What is captured, and when
//
// Profiles cover the measured window, not the warm-up:
//   - cpu: a CPU profile started when the window opens (Remote asks for
//     profile?seconds=N, N the window's length rounded up to whole seconds;
//     InProcess stops it when the window closes). Go samples at 100 Hz;
//     Profiles.CPURate says the rate. It costs the service a few percent of
//     its CPU while it runs.
//   - alloc_space: the allocation profile read at both ends of the window,
//     the difference kept (as `go tool pprof -base` computes it): what the
//     window allocated, not what the process allocated since it started.
//     The runtime publishes allocations at each GC, so the ends are the
//     service's last GC before each read.
//   - goroutine: the goroutines alive when the window closes.
//   - mutex and block: contention and blocking in the window, read at both
//     ends like allocations, when the service turned them on
//     (runtime.SetMutexProfileFraction, runtime.SetBlockProfileRate);
//     otherwise skipped, with a Note.
//
// With WithDir each is written as a gzip-compressed protobuf (cpu.pb.gz,
// allocs.pb.gz, goroutine.pb.gz, mutex.pb.gz, block.pb.gz) that
// `go tool pprof -top` opens; allocs.pb.gz shows alloc_space first.
//
// # How they are read
//
// With github.com/google/pprof/profile, summing each sample's value over
// its stack. Flat is a function's own share of the total, Cum its share
// with everything it called, a sample counted once however often a
// function recurses; inlined functions count as frames, as in pprof. Top
// lists the functions by flat share, as `go tool pprof -top` does. The
// standard library and runtime hold the largest cumulative shares of any
// Go service (net/http.(*conn).serve: 100 %), so TopOwn and TopOwnFlat
// list only the functions outside it (and outside the load tool, its
// libraries and the test framework), as `go tool pprof -hide` would: the
// hidden frames' flat share goes to the innermost own function that called
// them. For goroutines, Parked counts them by where they wait: the
// innermost frame that is not the runtime's waiting machinery.
//
// # Safety and bounds
//
// Remote reads only loopback hosts unless WithAllowHosts names others;
// loadrunner.Run validates the source and refuses the run before sending
// anything. Each request is bounded in time (WithTimeout, plus the CPU
// profile's duration) and size (WithMaxBody, and 8 times that once
// decompressed). A profile the service does not give, or gives malformed,
// is a Warning in the result; it never fails the run.
package pprofsource
