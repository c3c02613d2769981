package contract_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

// FuzzLoad feeds arbitrary bytes to LoadBytes: it must return a document
// or an error, never panic or hang.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "load", "*.yaml"))
	jsonSeeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "load", "*.json"))
	for _, s := range append(seeds, jsonSeeds...) {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := contract.LoadBytes(data)
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
	})
}

// FuzzSynthesize loads a fuzzed document and generates a small pool for
// each operation: every request must validate (Pool checks it) or the
// operation must give an error; nothing may panic.
func FuzzSynthesize(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "synth", "*.yaml"))
	for i, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		doc, err := contract.LoadBytes(data)
		if err != nil {
			return
		}
		ops, err := doc.Operations(contract.IncludeDeprecated())
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			pool, err := op.Pool(contract.WithSeed(seed), contract.WithPoolSize(2), contract.WithBearer("t"), contract.WithAPIKey("k"), contract.WithBasic("u", "p"))
			if err == nil && len(pool.Requests) != 2 {
				t.Fatalf("%s: pool of %d", op, len(pool.Requests))
			}
		}
	})
}
