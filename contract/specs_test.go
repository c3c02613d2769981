package contract_test

import (
	"path/filepath"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

// TestRealSpecs loads every public document in testdata/specs and checks
// that each operation gets valid requests, or a clear reason why not.
func TestRealSpecs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "specs", "*.y*ml"))
	if err != nil || len(files) != 5 {
		t.Fatalf("want 5 documents in testdata/specs, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := contract.Load(f)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			ops, err := doc.Operations(contract.IncludeDeprecated())
			if err != nil || len(ops) == 0 {
				t.Fatalf("operations: %d, %v", len(ops), err)
			}
			for _, op := range ops {
				pool, err := op.Pool(contract.WithSeed(7), contract.WithPoolSize(16),
					contract.WithBearer("token"), contract.WithAPIKey("key"), contract.WithBasic("u", "p"))
				switch {
				case err != nil:
					t.Errorf("%s: %v", op, err)
				case len(pool.Requests) != 16 || len(pool.Fingerprint) != 64:
					t.Errorf("%s: pool of %d, fingerprint %q", op, len(pool.Requests), pool.Fingerprint)
				default:
					t.Logf("%s: %s %s", op, pool.Requests[0].Method, pool.Requests[0].URL)
				}
			}
		})
	}
}
