package pprofsource

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that decoding never panics or over-reads, and that a
// profile it accepts can be summarized and subtracted from itself. Seeds:
// real profiles under testdata and the corpus under testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.pb.gz"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decode(data, 1<<20)
		if err != nil {
			return
		}
		for si := range p.SampleType {
			s := summarize(p, si, 5)
			if len(s.Top) > 5 || len(s.TopOwn) > 5 || len(s.TopOwnFlat) > 5 {
				t.Fatalf("top lists longer than asked: %+v", s)
			}
		}
		if d, err := subtract(p, p); err == nil && len(d.Sample) != 0 {
			var buf bytes.Buffer
			_ = d.WriteUncompressed(&buf)
			t.Fatalf("a profile minus itself has %d samples", len(d.Sample))
		}
	})
}
