// Package service is the example bookstore HTTP service used by slaspec's
// example SLA suite.
//
// New returns an http.Handler serving a small but real JSON API: paged and
// filtered listing, get, create, replace and delete of books, a deliberately
// heavier full-text search that tokenizes and scores titles on every request,
// and a reservation endpoint that decrements stock under the store's shared
// lock. The catalog lives in memory and is seeded deterministically from
// Options.Seed, so two services built with the same options serve the same
// books.
//
// GET /debug/vars serves expvar's process variables (cmdline, memstats), the
// goroutine count and a "bookstore" object with this service's counters, so
// a remote GC source can read memstats.PauseNs while a test reads which code
// paths were taken. GET /debug/pprof/ serves net/http/pprof's profiles, so a
// profile source can name the code a regression made slow.
//
// Options.Regressed builds the same API with three deliberate regressions, so
// an SLA suite has something to catch:
//
//   - search ranks each hit by re-scoring every book against it: O(hits×books)
//     work for the same result;
//   - list copies the whole catalog several times per request before paging;
//   - GET /books/{id} returns price as a JSON string, breaking the contract.
//
// The OpenAPI document describing the good service is OpenAPI.
package service
