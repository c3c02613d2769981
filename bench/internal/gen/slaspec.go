package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/slaspec/slaspec/loadrunner"
)

// runSlaspec measures slaspec's loadrunner with its default HTTP target
// (the lean engine), or on the net/http engine.
func runSlaspec(ctx context.Context, s Spec) (Measurement, error) {
	plan := loadrunner.Plan{Rate: s.Rate, Duration: s.Duration}
	if s.Rate == 0 {
		plan = loadrunner.Plan{Concurrency: s.Concurrency, Duration: s.Duration}
	}
	var opts []loadrunner.HTTPOption
	if s.Check {
		opts = append(opts, loadrunner.WithCheck(checkBody))
	}
	if s.NetHTTP {
		opts = append(opts, loadrunner.WithEngine(loadrunner.EngineNetHTTP))
	}
	var runOpts []loadrunner.Option
	if s.Coarse {
		runOpts = append(runOpts, loadrunner.WithCoarsePacing())
	}
	res, err := loadrunner.Run(ctx, plan, loadrunner.HTTP(s.URL, opts...), runOpts...)
	if err != nil {
		return Measurement{}, fmt.Errorf("gen: slaspec: %w", err)
	}
	m := Measurement{
		Sent: res.Sent, Completed: res.Requests, Errors: res.Errors.Total,
		Elapsed: res.Duration, Achieved: res.AchievedRate,
		P50: res.Latency.Percentile(loadrunner.P50), P99: res.Latency.Percentile(loadrunner.P99),
		P999: res.Latency.Percentile(loadrunner.P999), Max: res.Latency.Max(),
	}
	if s.Rate > 0 {
		m.LagP99 = res.SendLag.Percentile(loadrunner.P99)
	}
	switch {
	case res.GeneratorSaturated:
		m.Note = fmt.Sprintf("dropped %d, generator saturated %v", res.Dropped, res.Saturation)
	case res.ServiceBacklogged || res.Dropped > 0:
		m.Note = fmt.Sprintf("dropped %d, service backlogged %v", res.Dropped, res.Backlog)
	}
	return m, nil
}

// checkBody validates a response as a contract check would for a small
// JSON body: status, content type, and the body decoded into its shape.
func checkBody(resp *http.Response, body []byte) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("content type %q, want application/json", ct)
	}
	var v struct {
		OK *int `json:"ok"`
		ID *int `json:"id"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	if v.OK == nil || v.ID == nil {
		return fmt.Errorf("body %q lacks a required property", body)
	}
	return nil
}
