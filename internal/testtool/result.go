package testtool

import (
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// Result builds a result of n requests per second for secs seconds whose
// latencies are given by lat(i) for the i-th request, with errs failed
// requests of class c.
func Result(secs, perSec int, lat func(i int) time.Duration, errs uint64, c loadrunner.Class) *loadrunner.Result {
	res := &loadrunner.Result{
		Plan:     loadrunner.Plan{Rate: float64(perSec), Duration: time.Duration(secs) * time.Second},
		Duration: time.Duration(secs) * time.Second, Latency: loadrunner.NewHistogram(),
		ServiceTime: loadrunner.NewHistogram(), SendLag: loadrunner.NewHistogram(),
		Errors: loadrunner.Errors{ByClass: map[loadrunner.Class]uint64{}},
	}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	res.Started, res.Ended = start, start.Add(res.Duration)
	i := 0
	for s := range secs {
		h := loadrunner.NewHistogram()
		for range perSec {
			d := lat(i)
			h.Record(d)
			res.Latency.Record(d)
			res.ServiceTime.Record(d)
			i++
		}
		res.Timeseries = append(res.Timeseries, loadrunner.Interval{
			Start: start.Add(time.Duration(s) * time.Second), Length: time.Second,
			Planned: uint64(perSec), Sent: uint64(perSec), OK: uint64(perSec), Latency: h.Buckets(),
		})
	}
	total := uint64(secs * perSec)
	res.Planned, res.Sent, res.Requests = total, total, total
	res.PlannedRate, res.AchievedRate = float64(perSec), float64(perSec)
	if errs > 0 {
		res.Errors.Total, res.Errors.ByClass[c] = errs, errs
		res.Errors.Examples = map[loadrunner.Class][]string{c: {"GET /items/1: 503 Service Unavailable"}}
		last := &res.Timeseries[len(res.Timeseries)-1]
		last.OK -= errs
		last.Errors, last.ErrorsByClass = errs, map[loadrunner.Class]uint64{c: errs}
	}
	return res
}

// Uniform spreads latencies evenly over 1–100 ms.
func Uniform(i int) time.Duration {
	return time.Millisecond + time.Duration(i%1000)*99*time.Microsecond
}
