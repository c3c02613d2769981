package loadrunner_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// FuzzResultJSON feeds hostile JSON to the result decoder: it must return an
// error or a result, never panic, and a decoded result must merge.
func FuzzResultJSON(f *testing.F) {
	h := loadrunner.NewHistogram()
	h.Record(3 * time.Millisecond)
	good, _ := json.Marshal(&loadrunner.Result{Plan: loadrunner.Plan{Rate: 10, Duration: time.Second}, Latency: h, ServiceTime: h, SendLag: h})
	f.Add(good)
	f.Add([]byte(`{"histograms":{"latency":{"hdr":"HISTFAAAAC542pJpmSzMwMDAzgABzFCakYGB2c1gxwIG+w8QgYP3GJnOMzEBAgAA//96WQbH"}}}`))
	f.Add([]byte(`{"plan":{"duration":"-5x"}}`))
	f.Add([]byte(`{"timeseries":[{"hdr":"AAAA"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r loadrunner.Result
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		if _, err := loadrunner.Merge(&r, &r); err != nil {
			return
		}
	})
}
