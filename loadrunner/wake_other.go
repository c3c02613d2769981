//go:build !linux

package loadrunner

import "context"

// newPreciseWaker returns nil: only Linux has a precise waker (timerfd).
func newPreciseWaker(context.Context) waker { return nil }
