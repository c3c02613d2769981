package loadrunner_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestGeneratorStallIsSaturation: a generator that gets to its schedule
// 1.5 s late — what a stopped or starved process does, here a schedule
// that started 1.5 s before the run could — finds every slot free and the
// sends overdue. That is the generator's failing, not the service's.
func TestGeneratorStallIsSaturation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fast := loadrunner.Func(func(ctx context.Context) error { time.Sleep(time.Millisecond); return nil })
		plan := loadrunner.Plan{Rate: 1000, Duration: 4 * time.Second, MaxInFlight: 4000, StartAt: time.Now().Add(-1500 * time.Millisecond)}
		res, err := loadrunner.Run(t.Context(), plan, fast)
		if err != nil {
			t.Fatal(err)
		}
		why := strings.Join(res.Saturation, "; ")
		if !res.GeneratorSaturated || !strings.Contains(why, "stalled for 1.5s") || !strings.Contains(why, "generator lag p99") {
			t.Errorf("saturated %v: %q; want the stall and the lag named", res.GeneratorSaturated, why)
		}
		if res.ServiceBacklogged || res.SlotWaits != 0 {
			t.Errorf("backlogged %v (%d slot waits) %q: the slots were free", res.ServiceBacklogged, res.SlotWaits, res.Backlog)
		}
		if res.Sent != 4000 || res.Dropped != 0 {
			t.Errorf("sent %d, dropped %d: every overdue send still goes out, late", res.Sent, res.Dropped)
		}
	})
}

// TestSlowServiceIsABacklogNotSaturation: a loopback service that takes
// 20 ms per request behind 4 in-flight slots serves 200 req/s; offered 400
// req/s, the slots fill and sends wait for them. The result says the
// service backlogged and that the generator kept its schedule.
func TestSlowServiceIsABacklogNotSaturation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-r.Context().Done():
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	plan := loadrunner.Plan{Rate: 400, Duration: time.Second, MaxInFlight: 4}
	res, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !res.ServiceBacklogged || res.SlotWaits < res.Sent/4 || !strings.Contains(strings.Join(res.Backlog, ""), "found all 4 in-flight slots busy") {
		t.Errorf("backlogged %v, %d slot waits of %d sends, %q: want most sends waiting for a slot", res.ServiceBacklogged, res.SlotWaits, res.Sent, res.Backlog)
	}
	if res.GeneratorSaturated {
		t.Errorf("generator saturated %q: the service was slow, the generator kept its schedule (generator lag %+v)", res.Saturation, res.GeneratorLag.Summary())
	}
	// The waits are the service's: latency from the intended send time
	// includes them, service time does not.
	if lat, svc := res.Latency.Percentile(loadrunner.P90), res.ServiceTime.Percentile(loadrunner.P90); lat < 5*svc {
		t.Errorf("latency p90 %s, service time p90 %s: the backlog must show in the latency", lat, svc)
	}
	t.Logf("backlog %q; send lag %+v; generator lag %+v", res.Backlog, res.SendLag.Summary(), res.GeneratorLag.Summary())
}
