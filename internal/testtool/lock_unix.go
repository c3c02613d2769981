//go:build unix

package testtool

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// LockSuite holds, until unlock is called, a lock shared by every test
// process of the machine on the Ginkgo suite in dir. The Ginkgo CLI
// compiles a suite into its own folder (dir/<package>.test) and removes
// the binary after the run, so two test packages that run the same suite
// at once (go test runs packages side by side) would remove each other's
// binary: each holds the lock across its ginkgo command.
func LockSuite(t testing.TB, dir string) (unlock func()) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("lock suite %s: %v", dir, err)
	}
	sum := sha256.Sum256([]byte(abs))
	name := filepath.Join(os.TempDir(), "slaspec-suite-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("lock suite %s: %v", dir, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		t.Fatalf("lock suite %s: %v", dir, err)
	}
	return func() { f.Close() } // closing the descriptor releases the lock
}
