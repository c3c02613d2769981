package service

import (
	"encoding/json"
	"expvar"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strconv"
	"sync/atomic"
)

// stats are one service's counters, served under "bookstore" by
// GET /debug/vars. They tell which code paths ran without timing anything.
type stats struct {
	lists                 atomic.Int64
	listCatalogCopies     atomic.Int64
	searches              atomic.Int64
	searchRankComparisons atomic.Int64
	reservations          atomic.Int64
	reserveConflicts      atomic.Int64
}

// statsView is the JSON shape of stats.
type statsView struct {
	Regressed             bool  `json:"regressed"`
	Books                 int   `json:"books"`
	Lists                 int64 `json:"lists"`
	ListCatalogCopies     int64 `json:"list_catalog_copies"`
	Searches              int64 `json:"searches"`
	SearchRankComparisons int64 `json:"search_rank_comparisons"`
	Reservations          int64 `json:"reservations"`
	ReserveConflicts      int64 `json:"reserve_conflicts"`
}

func (s *server) statsView() statsView {
	return statsView{
		Regressed:             s.opts.Regressed,
		Books:                 s.store.count(),
		Lists:                 s.stats.lists.Load(),
		ListCatalogCopies:     s.stats.listCatalogCopies.Load(),
		Searches:              s.stats.searches.Load(),
		SearchRankComparisons: s.stats.searchRankComparisons.Load(),
		Reservations:          s.stats.reservations.Load(),
		ReserveConflicts:      s.stats.reserveConflicts.Load(),
	}
}

// The /debug/vars keys of this service's counters and of the goroutine count.
const (
	statsKey      = "bookstore"
	goroutinesKey = "goroutines"
)

// debugVars serves GET /debug/vars in expvar's format: every published
// expvar variable (cmdline and memstats at least), the process's goroutine
// count under "goroutines", and this service's counters under statsKey. The
// counters are per service, not global, so several services in one process
// do not mix their figures.
func (s *server) debugVars(w http.ResponseWriter, _ *http.Request) {
	own, err := json.Marshal(s.statsView())
	if err != nil {
		writeError(w, err)
		return
	}
	buf := []byte{'{', '\n'}
	expvar.Do(func(kv expvar.KeyValue) {
		if kv.Key == statsKey || kv.Key == goroutinesKey {
			return
		}
		buf = strconv.AppendQuote(buf, kv.Key)
		buf = append(buf, ": "...)
		buf = append(buf, kv.Value.String()...)
		buf = append(buf, ",\n"...)
	})
	buf = strconv.AppendQuote(buf, goroutinesKey)
	buf = append(buf, ": "...)
	buf = strconv.AppendInt(buf, int64(runtime.NumGoroutine()), 10)
	buf = append(buf, ",\n"...)
	buf = strconv.AppendQuote(buf, statsKey)
	buf = append(buf, ": "...)
	buf = append(buf, own...)
	buf = append(buf, "\n}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf)
}

// handleProfiles serves net/http/pprof's endpoints under /debug/pprof/: the
// index and every named profile (allocs, goroutine, heap, mutex, block, …),
// a CPU profile (profile?seconds=N), an execution trace, and symbols.
func handleProfiles(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
