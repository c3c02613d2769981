package loadrunner_test

import (
	"encoding/json"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// allocatedBytes returns the bytes the process has allocated so far, read
// without stopping the world.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// maxDecodeAlloc bounds what decoding one encoded histogram may allocate: the
// base64 and inflated copies of the input (a few times its size) and one
// counts array of slaspec's geometry (about 270 KiB), whatever the input
// claims in its header.
func maxDecodeAlloc(n int) uint64 { return uint64(8*n) + 2<<20 }

// FuzzDecodeHistogram feeds hostile encodings to DecodeHistogram, directly
// and through the JSON form: it must return an error or a histogram, never
// panic or allocate beyond a bound set by the input's size; a decoded
// histogram must encode, decode to an equal one and merge without loss.
func FuzzDecodeHistogram(f *testing.F) {
	h := loadrunner.NewHistogram()
	for i := range 200 {
		h.Record(time.Duration(i*i) * time.Microsecond)
	}
	good, _ := h.Encode()
	empty, _ := loadrunner.NewHistogram().Encode()
	f.Add(good)
	f.Add(empty)
	f.Add(good[:len(good)/2])
	f.Add([]byte("HISTFAAAAC542pJpmSzMwMDAzgABzFCakYGB2c1gxwIG+w8QgYP3GJnOMzEBAgAA//96WQbH"))
	f.Add([]byte("AAAA"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		allocs := allocatedBytes()
		d, err := loadrunner.DecodeHistogram(data)
		if used := allocatedBytes() - allocs; used > maxDecodeAlloc(len(data)) {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), used)
		}
		if err == nil {
			roundTrip(t, d)
		}
		wire, _ := json.Marshal(map[string]any{"hdr": string(data), "clamped": 1})
		var j loadrunner.Histogram
		if err := json.Unmarshal(wire, &j); err == nil {
			roundTrip(t, &j)
		}
	})
}

// roundTrip checks that h encodes (bare and as JSON), decodes to an equal
// histogram and merges.
func roundTrip(t *testing.T, h *loadrunner.Histogram) {
	t.Helper()
	b, err := h.Encode()
	if err != nil {
		t.Fatalf("a decoded histogram does not encode: %v", err)
	}
	bare, err := loadrunner.DecodeHistogram(b)
	if err != nil || bare.Count() != h.Count() || bare.Max() != h.Max() {
		t.Fatalf("bare round trip: %v", err)
	}
	wire, err := json.Marshal(h)
	if err != nil {
		t.Fatalf("a decoded histogram does not marshal: %v", err)
	}
	var again loadrunner.Histogram
	if err := json.Unmarshal(wire, &again); err != nil || !again.Equal(h) {
		t.Fatalf("json round trip: %v, equal %v", err, err == nil && again.Equal(h))
	}
	sum := loadrunner.NewHistogram()
	if err := sum.Merge(h); err != nil || sum.Count() != h.Count() {
		t.Fatalf("merge: %v, count %d of %d", err, sum.Count(), h.Count())
	}
}
