package service

import (
	"encoding/json"
	"expvar"
	"net/http"
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

// statsKey is the /debug/vars key of this service's counters.
const statsKey = "bookstore"

// debugVars serves GET /debug/vars in expvar's format: every published
// expvar variable (cmdline and memstats at least) plus this service's
// counters under statsKey. The counters are per service, not global, so
// several services in one process do not mix their figures.
func (s *server) debugVars(w http.ResponseWriter, _ *http.Request) {
	own, err := json.Marshal(s.statsView())
	if err != nil {
		writeError(w, err)
		return
	}
	buf := []byte{'{', '\n'}
	expvar.Do(func(kv expvar.KeyValue) {
		if kv.Key == statsKey {
			return
		}
		buf = strconv.AppendQuote(buf, kv.Key)
		buf = append(buf, ": "...)
		buf = append(buf, kv.Value.String()...)
		buf = append(buf, ",\n"...)
	})
	buf = strconv.AppendQuote(buf, statsKey)
	buf = append(buf, ": "...)
	buf = append(buf, own...)
	buf = append(buf, "\n}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf)
}
