package loadrunner

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry shared by every histogram slaspec records, so that any
// two of them merge without loss: nanosecond values from 1 ns to 1 hour at 3
// significant digits (a relative error of at most 0.1%).
const (
	histLowest  = 1
	histHighest = int64(time.Hour)
	histDigits  = 3
	// maxEncodedHistogram bounds the size of an encoded histogram accepted by
	// UnmarshalJSON, so hostile input cannot make decoding allocate without bound.
	maxEncodedHistogram = 4 << 20
)

// Named percentiles, as values from 0 to 100.
const (
	P50   = 50.0
	P90   = 90.0
	P95   = 95.0
	P99   = 99.0
	P999  = 99.9
	P9999 = 99.99
)

// Histogram is a constant-memory distribution of durations backed by an
// HdrHistogram (1 ns to 1 h, 3 significant digits). Values above one hour are
// recorded as one hour and counted in Clamped. The zero value is not usable:
// create one with NewHistogram. A Histogram is not safe for concurrent use.
type Histogram struct {
	h       *hdrhistogram.Histogram
	clamped uint64
}

// NewHistogram returns an empty Histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: hdrhistogram.New(histLowest, histHighest, histDigits)}
}

// Record adds one duration. Negative durations are recorded as zero. It does
// not allocate.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	if v > histHighest {
		v = histHighest
		h.clamped++
	}
	_ = h.h.RecordValue(v) // cannot fail: v is inside the geometry
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return uint64(h.h.TotalCount()) }

// Clamped returns how many recorded values exceeded one hour and were
// recorded as one hour.
func (h *Histogram) Clamped() uint64 { return h.clamped }

// Percentile returns the value at percentile p (0–100, e.g. 99.9), within
// the histogram's precision. It returns 0 for an empty histogram.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.h.TotalCount() == 0 {
		return 0
	}
	if p >= 100 {
		return h.Max()
	}
	return time.Duration(h.h.ValueAtPercentile(p))
}

// Max returns the largest recorded value (within precision), 0 when empty.
func (h *Histogram) Max() time.Duration {
	if h.h.TotalCount() == 0 {
		return 0
	}
	return time.Duration(h.h.Max())
}

// Min returns the smallest recorded value (within precision), 0 when empty.
func (h *Histogram) Min() time.Duration {
	if h.h.TotalCount() == 0 {
		return 0
	}
	return time.Duration(h.h.Min())
}

// Mean returns the mean of the recorded values, 0 when empty.
func (h *Histogram) Mean() time.Duration { return time.Duration(math.Round(h.h.Mean())) }

// StdDev returns the standard deviation of the recorded values.
func (h *Histogram) StdDev() time.Duration { return time.Duration(math.Round(h.h.StdDev())) }

// Reset empties the histogram, keeping its memory.
func (h *Histogram) Reset() {
	h.h.Reset()
	h.clamped = 0
}

// Merge adds every value of o into h. Both have the same geometry, so no
// value can be dropped; a drop would be reported as an error.
func (h *Histogram) Merge(o *Histogram) error {
	if o == nil {
		return nil
	}
	if dropped := h.h.Merge(o.h); dropped != 0 {
		return fmt.Errorf("loadrunner: histogram merge dropped %d values", dropped)
	}
	h.clamped += o.clamped
	return nil
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	return &Histogram{h: h.h.Clone(), clamped: h.clamped}
}

// Equal reports whether h and o hold the same counts.
func (h *Histogram) Equal(o *Histogram) bool {
	return h.clamped == o.clamped && h.h.Equals(o.h)
}

// Bucket is one populated step of a histogram's distribution: Count values
// fell between From and To.
type Bucket struct {
	From, To time.Duration
	Count    uint64
}

// The geometry of the histograms (histLowest 1, histDigits 3): a counter
// index below bucketSubCount holds the value equal to it; above, each
// run of bucketHalfCount counters covers twice the range of the run before
// it, at a resolution halving each time.
const (
	bucketHalfMagnitude = 10 // log2 of half the sub-buckets: 2·10³ values at unit resolution need 2¹¹
	bucketHalfCount     = 1 << bucketHalfMagnitude
	bucketSubCount      = 2 * bucketHalfCount
)

// Buckets returns the populated buckets in increasing order of value. It
// walks a copy of the counters (one allocation of the counters' size)
// rather than HdrHistogram's Distribution, which allocates a bar for
// every counter up to the largest value: a run's monitor reads an
// interval's buckets every second, and on the generator's one core the
// garbage of those bars cost it pauses.
func (h *Histogram) Buckets() []Bucket {
	counts := h.h.Export().Counts
	n := 0
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	out := make([]Bucket, 0, n)
	for i, c := range counts {
		if c > 0 {
			from, to := bucketRange(i)
			out = append(out, Bucket{From: time.Duration(from), To: time.Duration(to), Count: uint64(c)})
		}
	}
	return out
}

// bucketRange returns the lowest and highest values counter i holds.
func bucketRange(i int) (from, to int64) {
	if i < bucketSubCount {
		return int64(i), int64(i)
	}
	b := i>>bucketHalfMagnitude - 1
	sub := int64(i&(bucketHalfCount-1) + bucketHalfCount)
	from = sub << b
	return from, from + 1<<b - 1
}

// AddBuckets records every value of bs, as Buckets returned them: each
// bucket's count at its lowest value, so a histogram rebuilt from its
// buckets equals the original.
func (h *Histogram) AddBuckets(bs []Bucket) {
	for _, b := range bs {
		_ = h.h.RecordValues(int64(b.From), int64(b.Count)) // inside the geometry: Buckets made it
	}
}

// bucketPercentile returns the p-th percentile of the values bs holds, as
// Percentile on a histogram rebuilt from bs would (the top of the bucket
// holding the value of that rank; the maximum from p 100), without rebuilding
// one: an interval's figures are computed from its buckets directly.
func bucketPercentile(bs []Bucket, p float64) time.Duration {
	var total uint64
	for _, b := range bs {
		total += b.Count
	}
	if total == 0 {
		return 0
	}
	rank := total
	if r := p/100*float64(total) + 0.5; p < 100 && r < float64(total) {
		rank = max(uint64(r), 1)
	}
	var seen uint64
	for _, b := range bs {
		if seen += b.Count; seen >= rank {
			return b.To
		}
	}
	return bs[len(bs)-1].To
}

// mergeBuckets returns the buckets of a and b added together, both in
// increasing order of value and from histograms of the same geometry.
func mergeBuckets(a, b []Bucket) []Bucket {
	out := make([]Bucket, 0, max(len(a), len(b)))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0].From == b[0].From:
			out = append(out, Bucket{From: a[0].From, To: a[0].To, Count: a[0].Count + b[0].Count})
			a, b = a[1:], b[1:]
		case a[0].From < b[0].From:
			out, a = append(out, a[0]), a[1:]
		default:
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Summary holds the usual figures of a distribution. It is what the JSON
// result shows beside the encoded histogram (latency, service_time, send_lag).
type Summary struct {
	Count uint64        `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p999_ns"`
	P9999 time.Duration `json:"p9999_ns"`
	Max   time.Duration `json:"max_ns"`
	Mean  time.Duration `json:"mean_ns"`
}

// Summary returns the usual figures of h.
func (h *Histogram) Summary() Summary {
	if h == nil {
		return Summary{}
	}
	return Summary{
		Count: h.Count(),
		P50:   h.Percentile(P50),
		P90:   h.Percentile(P90),
		P99:   h.Percentile(P99),
		P999:  h.Percentile(P999),
		P9999: h.Percentile(P9999),
		Max:   h.Max(),
		Mean:  h.Mean(),
	}
}

// Encode returns h in HdrHistogram's V2 compressed encoding (base64 text).
func (h *Histogram) Encode() ([]byte, error) {
	b, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("loadrunner: encode histogram: %w", err)
	}
	return b, nil
}

// encodeString encodes h as text; encoding a histogram of slaspec's geometry
// cannot fail.
func encodeString(h *Histogram) string {
	b, _ := h.Encode()
	return string(b)
}

// DecodeHistogram decodes a histogram written by Encode. It rejects input
// larger than 4 MiB and any geometry other than slaspec's, so that every
// decoded histogram merges exactly with every recorded one.
func DecodeHistogram(b []byte) (*Histogram, error) {
	if len(b) > maxEncodedHistogram {
		return nil, fmt.Errorf("loadrunner: decode histogram: %d bytes exceeds the %d byte limit", len(b), maxEncodedHistogram)
	}
	if err := checkEncodedGeometry(b); err != nil {
		return nil, err
	}
	hh, err := hdrhistogram.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("loadrunner: decode histogram: %w", err)
	}
	if hh.LowestTrackableValue() != histLowest || hh.HighestTrackableValue() != histHighest || hh.SignificantFigures() != histDigits {
		return nil, fmt.Errorf("loadrunner: decode histogram: geometry %d..%d/%d digits, want %d..%d/%d",
			hh.LowestTrackableValue(), hh.HighestTrackableValue(), hh.SignificantFigures(), histLowest, histHighest, histDigits)
	}
	return &Histogram{h: hh}, nil
}

// histogramJSON is the wire form of a Histogram: the encoded counts and the
// number of clamped values, which the HdrHistogram encoding does not carry.
type histogramJSON struct {
	HDR     string `json:"hdr"`
	Clamped uint64 `json:"clamped,omitempty"`
}

// MarshalJSON encodes h losslessly.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	b, err := h.Encode()
	if err != nil {
		return nil, err
	}
	return json.Marshal(histogramJSON{HDR: string(b), Clamped: h.clamped})
}

// UnmarshalJSON decodes a histogram written by MarshalJSON.
func (h *Histogram) UnmarshalJSON(data []byte) error {
	var w histogramJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("loadrunner: histogram: %w", err)
	}
	d, err := DecodeHistogram([]byte(w.HDR))
	if err != nil {
		return err
	}
	d.clamped = w.Clamped
	*h = *d
	return nil
}
