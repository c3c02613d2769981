//go:build !unix

package testtool

import "testing"

// LockSuite is a no-op where there is no flock: see lock_unix.go.
func LockSuite(t testing.TB, dir string) (unlock func()) { return func() {} }
