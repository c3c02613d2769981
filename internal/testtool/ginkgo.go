// Package testtool holds what several of slaspec's test packages share:
// the Ginkgo CLI of the module's pinned version, synthetic results, a
// loopback service of known capacity.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	ginkgoOnce sync.Once
	ginkgoBin  string
	ginkgoErr  error
	ginkgoOut  []byte
)

// GinkgoCLI builds the Ginkgo CLI of the module's pinned version once per
// test binary and returns its path, failing t when it cannot be built.
func GinkgoCLI(t testing.TB) string {
	t.Helper()
	ginkgoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "slaspec-ginkgo")
		if err != nil {
			ginkgoErr = err
			return
		}
		ginkgoBin = filepath.Join(dir, "ginkgo")
		ginkgoOut, ginkgoErr = exec.Command("go", "build", "-o", ginkgoBin, "github.com/onsi/ginkgo/v2/ginkgo").CombinedOutput()
	})
	if ginkgoErr != nil {
		t.Fatalf("build the ginkgo CLI: %v\n%s", ginkgoErr, ginkgoOut)
	}
	return ginkgoBin
}
