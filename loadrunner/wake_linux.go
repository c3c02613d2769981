package loadrunner

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fdWaker waits on a Linux timerfd read through Go's netpoller: the poller
// wakes when the descriptor fires, at the kernel timer's precision, instead
// of rounding sub-millisecond sleeps up to a millisecond, and waiting burns
// no CPU.
type fdWaker struct {
	f    *os.File
	fd   int
	buf  [8]byte
	stop func() bool
}

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
	// A cancelled run interrupts a pending wait through the read deadline.
	w.stop = context.AfterFunc(ctx, func() { _ = w.f.SetReadDeadline(time.Unix(1, 0)) })
	return w
}

func (w *fdWaker) until(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(w.fd, 0, &spec, nil); err != nil {
		return sleepUntil(ctx, t, nil)
	}
	if _, err := w.f.Read(w.buf[:]); err != nil {
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
