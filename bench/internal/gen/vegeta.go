package gen

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// runVegeta measures vegeta's library as its command line runs it: default
// workers and connections for the open model; for the closed loop, rate 0
// with Concurrency workers. Latency is what vegeta reports (from each
// request's actual send); the send lag is its actual send time minus the
// intended time of the same sequence number.
func runVegeta(ctx context.Context, s Spec) (Measurement, error) {
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true)}
	pacer := vegeta.Rate{Freq: int(s.Rate), Per: time.Second}
	if s.Rate == 0 {
		pacer = vegeta.Rate{Freq: 0, Per: time.Second}
		opts = append(opts, vegeta.Workers(uint64(s.Concurrency)), vegeta.MaxWorkers(uint64(s.Concurrency)))
	} else if float64(int(s.Rate)) != s.Rate {
		return Measurement{}, fmt.Errorf("gen: vegeta: rate %g is not a whole number per second", s.Rate)
	}
	atk := vegeta.NewAttacker(opts...)
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: s.URL})
	lat, lag := loadrunner.NewHistogram(), loadrunner.NewHistogram()
	var m Measurement
	start := time.Now()
	var last time.Time
	results := atk.Attack(targeter, pacer, s.Duration, "bench")
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	for res := range results {
		m.Completed++
		lat.Record(res.Latency)
		if s.Rate > 0 {
			intended := start.Add(time.Duration(float64(res.Seq) / s.Rate * float64(time.Second)))
			lag.Record(max(res.Timestamp.Sub(intended), 0))
		}
		if res.Error != "" || res.Code < 200 || res.Code >= 400 {
			m.Errors++
		}
		if res.Timestamp.After(last) {
			last = res.Timestamp
		}
	}
	m.Sent = m.Completed
	m.Elapsed = time.Since(start)
	m.Achieved = float64(m.Sent) / s.Duration.Seconds()
	m.LagP99 = lag.Percentile(loadrunner.P99)
	m.P50, m.P99 = lat.Percentile(loadrunner.P50), lat.Percentile(loadrunner.P99)
	m.P999, m.Max = lat.Percentile(loadrunner.P999), lat.Max()
	if s.Rate == 0 && !last.IsZero() {
		m.Achieved = float64(m.Sent) / last.Sub(start).Seconds()
	}
	return m, nil
}
