package loadrunner

import (
	"encoding/json"
	"fmt"
	"sync"
)

// scratch holds histograms reused to encode and decode intervals, so that
// writing or reading a long time series does not allocate a 256 KiB
// histogram per interval.
var scratch = sync.Pool{New: func() any { return NewHistogram() }}

// intervalJSON is Interval's JSON shape: its fields plus the encoded latency.
type intervalJSON struct {
	intervalFields
	HDR string `json:"hdr,omitempty"`
}

// intervalFields is Interval without its methods, so that encoding it does
// not recurse into MarshalJSON.
type intervalFields Interval

// MarshalJSON writes the interval with its latency buckets in HdrHistogram's
// compressed encoding (the "hdr" field).
func (iv Interval) MarshalJSON() ([]byte, error) {
	w := intervalJSON{intervalFields: intervalFields(iv)}
	if len(iv.Latency) > 0 {
		h := scratch.Get().(*Histogram)
		h.Reset()
		h.AddBuckets(iv.Latency)
		w.HDR = encodeString(h)
		scratch.Put(h)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads an interval, decoding its "hdr" field once into
// latency buckets.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var w intervalJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*iv = Interval(w.intervalFields)
	if w.HDR == "" {
		return nil
	}
	h, err := DecodeHistogram([]byte(w.HDR))
	if err != nil {
		return fmt.Errorf("loadrunner: interval at %s: %w", iv.Start.Format("15:04:05.000"), err)
	}
	iv.Latency = h.Buckets()
	return nil
}
