package loadrunner

import (
	"context"
	"errors"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fdWaker waits on a Linux timerfd through Go's netpoller: the poller wakes
// when the descriptor fires, at the kernel timer's precision, instead of
// rounding sub-millisecond sleeps up to a millisecond, and waiting burns no
// CPU. A wait costs one system call (arming the timer): the descriptor is
// never read, since arming it again clears its count, and the netpoller's
// edge-triggered registration reports every expiry.
type fdWaker struct {
	f     *os.File
	rc    syscall.RawConn
	fd    int
	due   time.Time
	ready func(uintptr) bool // reports whether due has come (built once: no allocation per wait)
	stop  func() bool
}

// spinBelow is the wait under which the precise waker yields in a loop
// instead of arming the timer: an armed wait costs a system call, a trip
// through the netpoller and two goroutine switches, more than a few
// microseconds of yielding to the workers.
const spinBelow = 20 * time.Microsecond

// newPreciseWaker returns a timerfd waker, or nil where there is none (or
// the clock is synthetic, see syntheticClock).
func newPreciseWaker(ctx context.Context) waker {
	if syntheticClock() {
		return nil
	}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	w := &fdWaker{f: os.NewFile(uintptr(fd), "slaspec-timerfd"), fd: fd}
	if w.rc, err = w.f.SyscallConn(); err != nil {
		w.f.Close()
		return nil
	}
	w.ready = func(uintptr) bool { return !time.Now().Before(w.due) }
	// A cancelled run interrupts a pending wait through the read deadline.
	w.stop = context.AfterFunc(ctx, func() { _ = w.f.SetReadDeadline(time.Unix(1, 0)) })
	return w
}

// until arms the timer and waits for the descriptor to become readable.
// The readiness is checked against the clock: the timer fires at or after
// t (both are CLOCK_MONOTONIC), so an expiry that came before the wait
// began is seen by the first check, and one that comes later wakes it.
func (w *fdWaker) until(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	if d < spinBelow {
		// Closer than a timer round trip costs: yield to the workers
		// until it is due.
		for time.Now().Before(t) {
			runtime.Gosched()
		}
		return nil
	}
	w.due = t
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(w.fd, 0, &spec, nil); err != nil {
		return sleepUntil(ctx, t, nil)
	}
	if err := w.rc.Read(w.ready); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
			return ctx.Err()
		}
		return sleepUntil(ctx, t, nil)
	}
	return nil
}

func (w *fdWaker) close() {
	w.stop()
	w.f.Close()
}
