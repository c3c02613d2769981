//go:build linux

package loadrunner

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// harvestSet holds the plain TCP connections of one open-model run whose
// responses are harvested: their sockets are outside the Go runtime's
// network poller, so a response that arrives does not wake the process.
// The dispatcher, which wakes for every send anyway, polls the set (one
// epoll_wait that never blocks) and wakes the workers whose responses have
// arrived; while some request is in flight it also wakes every
// harvestEvery. Each read asks the kernel when its bytes arrived
// (SO_TIMESTAMPNS), so the latency ends when the response arrived, not
// when it was harvested. An open model at thousands of requests a second
// then costs one sleep and one wake-up of the process per request, not
// two, and on a virtual machine the sleep is most of a request's CPU.
type harvestSet struct {
	epfd   int
	probe  int // a socket that keeps the kernel stamping received packets
	mu     sync.Mutex
	conns  []*harvestConn // by descriptor
	events [harvestBatch]unix.EpollEvent
	// scanned is when the last harvest looked for readers whose deadline
	// has passed (only the harvesting goroutine uses it).
	scanned time.Time
}

// harvestBatch is the most readers one harvest wakes. The dispatcher
// wakes up again (for its next send, or its next harvest) only once the
// goroutines it woke have run, so a burst of responses (after a pause of
// the service's) woken at once would hold back the sends due meanwhile:
// the dispatcher harvests a burst in turns, between its sends.
const harvestBatch = 8

// newHarvestSet returns an empty set, or nil where the kernel has no
// epoll instance to spare.
func newHarvestSet() *harvestSet {
	if syntheticClock() {
		return nil // the kernel's arrival times are not the bubble's clock
	}
	probe := stampingProbe()
	if probe < 0 {
		return nil
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		unix.Close(probe)
		return nil
	}
	return &harvestSet{epfd: epfd, probe: probe}
}

// stampingProbe returns a loopback UDP socket that asks for receive times,
// once a datagram it sent itself came back stamped; -1 when none came
// back stamped. The kernel stamps received packets only while some socket
// asks, and turns stamping on a moment after the first asks: holding the
// probe open for the run, and waiting for its stamp, makes sure that every
// response of the run is stamped.
func stampingProbe() int {
	for _, sa := range []unix.Sockaddr{&unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}, &unix.SockaddrInet6{Addr: [16]byte{15: 1}}} {
		family := unix.AF_INET
		if _, ok := sa.(*unix.SockaddrInet6); ok {
			family = unix.AF_INET6
		}
		fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if stamped(fd, sa) {
			return fd
		}
		unix.Close(fd)
	}
	return -1
}

// stamped binds fd to sa, asks for receive times and sends itself
// datagrams until one comes back stamped (at most a hundred, 50 µs apart).
func stamped(fd int, sa unix.Sockaddr) bool {
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil || unix.Bind(fd, sa) != nil {
		return false
	}
	self, err := unix.Getsockname(fd)
	if err != nil {
		return false
	}
	var buf [1]byte
	var oob [64]byte
	for range 100 {
		if unix.Sendto(fd, buf[:], 0, self) == nil {
			if _, oobn, _, _, err := unix.Recvmsg(fd, buf[:], oob[:], unix.MSG_DONTWAIT); err == nil {
				if _, ok := receiveTime(oob[:oobn]); ok {
					return true
				}
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
	return false
}

// close releases the set; its connections are closed by their workers.
func (h *harvestSet) close() {
	if h != nil {
		unix.Close(h.epfd)
		unix.Close(h.probe)
	}
}

// harvest wakes, at now, the readers of up to harvestBatch connections that have
// bytes, an end or an error to read, and returns how many it woke. The
// epoll set is level-triggered: a connection left for a later harvest, or
// whose reader did not read all, is found again. At most every
// harvestEvery it also wakes the readers whose deadline has passed (see
// harvestConn.wait).
func (h *harvestSet) harvest(now time.Time) int {
	if h == nil {
		return 0
	}
	if now.Sub(h.scanned) >= harvestEvery {
		h.scanned = now
		h.expire(now)
	}
	n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(h.epfd),
		uintptr(unsafe.Pointer(&h.events[0])), uintptr(len(h.events)), 0, 0, 0)
	if errno != 0 || n == 0 {
		return 0
	}
	h.mu.Lock()
	for _, ev := range h.events[:n] {
		if int(ev.Fd) < len(h.conns) {
			if c := h.conns[ev.Fd]; c != nil {
				c.wake()
			}
		}
	}
	h.mu.Unlock()
	return int(n)
}

// expire wakes the readers whose deadline has passed by now.
func (h *harvestSet) expire(now time.Time) {
	h.mu.Lock()
	for _, c := range h.conns {
		if c == nil {
			continue
		}
		if c.deadline.passed(now) {
			c.wake()
		}
	}
	h.mu.Unlock()
}

// adopt moves nc's socket into the set: a harvested connection on a
// duplicate of its descriptor, with nc closed. It returns nil (nc kept)
// when nc is not plain TCP or the kernel refuses arrival times.
func (h *harvestSet) adopt(nc net.Conn) net.Conn {
	tc, ok := nc.(*net.TCPConn)
	if h == nil || !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil || derr != nil {
		return nil
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil {
		unix.Close(fd)
		return nil
	}
	c := &harvestConn{fd: fd, set: h, ready: make(chan struct{}, 1), laddr: tc.LocalAddr(), raddr: tc.RemoteAddr()}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}
	h.mu.Lock()
	if fd >= len(h.conns) {
		h.conns = append(h.conns, make([]*harvestConn, fd+1-len(h.conns))...)
	}
	h.conns[fd] = c
	h.mu.Unlock()
	if unix.EpollCtl(h.epfd, unix.EPOLL_CTL_ADD, fd, &ev) != nil {
		h.forget(c)
		unix.Close(fd)
		return nil
	}
	// The duplicate keeps the socket open: closing nc closes only its
	// descriptor (and takes it out of the runtime's poller).
	tc.Close()
	return c
}

func (h *harvestSet) forget(c *harvestConn) {
	h.mu.Lock()
	h.conns[c.fd] = nil
	h.mu.Unlock()
}

// harvestEvery is how often, at most, a harvested run polls while some
// request is in flight and no send wakes it sooner. It bounds how long an
// arrived response holds its worker and connection, not the latency,
// which the kernel's arrival time gives; and how late, at most, a read
// past its deadline is woken (a harvest's sleep later).
const harvestEvery = time.Millisecond

// harvestConn is a harvested TCP connection: a non-blocking socket read
// and written with raw system calls, whose reader waits to be woken by
// its set's harvest, its deadline or Close. Reads take the kernel's
// arrival time of the bytes they return.
type harvestConn struct {
	fd           int
	set          *harvestSet
	ready        chan struct{} // a harvest (or SetDeadline, Close) woke the reader
	laddr, raddr net.Addr

	deadline deadline // read by the harvest's scan without a lock

	mu       sync.Mutex
	closed   bool
	ops      int  // reads and writes under way: the descriptor outlives them
	released bool // the descriptor is closed

	wrote   bool      // a request was written and nothing read since
	written time.Time // when the last write began
	arrived time.Time // when the bytes the last read returned arrived
	msg     syscall.Msghdr
	iov     syscall.Iovec
	oob     [64]byte
}

// wake tells the reader to look again.
func (c *harvestConn) wake() {
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// Read reads what the socket holds, waiting for a harvest when it holds
// nothing. Right after a request was written it waits first: the response
// cannot be there yet, and a harvest sees it whenever it comes.
func (c *harvestConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !c.begin() {
		return 0, c.opError("read", net.ErrClosed)
	}
	defer c.end()
	for first := c.wrote; ; first = false {
		if c.wrote {
			c.wrote = false
		} else {
			n, errno := c.recv(p)
			switch errno {
			case 0:
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			case syscall.EAGAIN, syscall.EINTR:
			default:
				return 0, c.opError("read", os.NewSyscallError("read", errno))
			}
		}
		if err := c.wait(!first); err != nil {
			return 0, c.opError("read", err)
		}
	}
}

// recv is one recvmsg that asks for the arrival time of what it returns.
func (c *harvestConn) recv(p []byte) (int, syscall.Errno) {
	c.iov.Base = &p[0]
	c.iov.SetLen(len(p))
	c.msg.Iov = &c.iov
	c.msg.Iovlen = 1
	c.msg.Control = &c.oob[0]
	c.msg.SetControllen(len(c.oob))
	n, _, errno := syscall.RawSyscall(syscall.SYS_RECVMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&c.msg)), syscall.MSG_DONTWAIT)
	c.iov.Base = nil
	if errno != 0 || n == 0 {
		return 0, errno
	}
	c.arrived = c.arrival()
	return int(n), 0
}

// arrival converts the kernel's receive time of the last read (wall
// clock) into a time on the monotonic clock: now, less how long ago the
// bytes arrived. Without a receive time (the kernel leaves an occasional
// segment unstamped: about one read in a hundred on loopback), or with
// one that the wall clock makes implausible (before the request was
// written, or in the future), it is now: the harvest's time, which can
// only lengthen a latency, by at most the wait for the harvest.
func (c *harvestConn) arrival() time.Time {
	now := time.Now()
	ns, ok := receiveTime(c.oob[:c.msg.Controllen])
	if !ok {
		return now
	}
	at := now.Add(-time.Duration(now.UnixNano() - ns))
	if at.After(now) || at.Before(c.written) {
		return now
	}
	return at
}

// receiveTime returns the receive time (nanoseconds since the Unix epoch)
// in the control messages oob, if they hold one. It allocates nothing.
func receiveTime(oob []byte) (int64, bool) {
	for len(oob) >= syscall.SizeofCmsghdr {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < syscall.SizeofCmsghdr || uint64(h.Len) > uint64(len(oob)) {
			break
		}
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS && uintptr(h.Len) >= uintptr(syscall.SizeofCmsghdr)+unsafe.Sizeof(syscall.Timespec{}) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&oob[syscall.SizeofCmsghdr]))
			return ts.Nano(), true
		}
		oob = oob[min(cmsgAlign(int(h.Len)), len(oob)):]
	}
	return 0, false
}

// cmsgAlign rounds a control message length up to its alignment.
func cmsgAlign(n int) int {
	const a = int(unsafe.Sizeof(uintptr(0)))
	n = (n + a - 1) &^ (a - 1)
	return n
}

// arrivalTime returns when the bytes of the last read arrived.
func (c *harvestConn) arrivalTime() time.Time { return c.arrived }

// wait waits to be woken: by a harvest that found bytes, an end or an
// error to read, or the reader's deadline passed (harvests look at the
// deadlines every harvestEvery: the reader needs no timer of its own,
// which would cost a timer heap's insert and removal, and a select, per
// response); by SetDeadline in the past; or by Close. A harvested
// connection is read only while its run's dispatcher harvests. The wait
// right after a request was written skips the clock (a deadline that has
// passed wakes it at the next harvest, and the next wait sees the time):
// the clock is read only by a reader woken without bytes.
func (c *harvestConn) wait(clock bool) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	switch {
	case closed:
		return net.ErrClosed
	case clock && c.deadline.passed(time.Now()):
		return os.ErrDeadlineExceeded
	}
	<-c.ready
	return nil
}

// Write writes all of p. A full socket buffer (a large body the server is
// slow to read) is waited out in short sleeps, within the deadline.
func (c *harvestConn) Write(p []byte) (int, error) {
	if !c.begin() {
		return 0, c.opError("write", net.ErrClosed)
	}
	defer c.end()
	select {
	case <-c.ready: // woken before this request: nothing of its response can be there
	default:
	}
	c.written = time.Now() // a quick server's answer may arrive before the write returns
	w := 0
	for w < len(p) {
		n, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(c.fd), uintptr(unsafe.Pointer(&p[w])), uintptr(len(p)-w), syscall.MSG_NOSIGNAL|syscall.MSG_DONTWAIT, 0, 0)
		switch errno {
		case 0:
			w += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			c.mu.Lock()
			closed := c.closed
			c.mu.Unlock()
			switch {
			case closed:
				return w, c.opError("write", net.ErrClosed)
			case c.deadline.passed(time.Now()):
				return w, c.opError("write", os.ErrDeadlineExceeded)
			}
			time.Sleep(harvestEvery / 4)
		default:
			return w, c.opError("write", os.NewSyscallError("write", errno))
		}
	}
	c.wrote = true
	return w, nil
}

// begin starts a read or a write; false when the connection is closed.
func (c *harvestConn) begin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.ops++
	return true
}

// end ends a read or a write, releasing the descriptor when the
// connection was closed meanwhile.
func (c *harvestConn) end() {
	c.mu.Lock()
	c.ops--
	last := c.closed && c.ops == 0 && !c.released
	c.released = c.released || last
	c.mu.Unlock()
	if last {
		c.release()
	}
}

// Close closes the connection: a read or write under way ends with
// net.ErrClosed, and the descriptor is released when none is (so that a
// read never sees a number the kernel has given to another file).
func (c *harvestConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	idle := c.ops == 0
	c.released = idle
	c.mu.Unlock()
	c.wake()
	if idle {
		c.release()
	}
	return nil
}

// release takes the socket out of the set and closes it.
func (c *harvestConn) release() {
	_ = unix.EpollCtl(c.set.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	c.set.forget(c)
	unix.Close(c.fd)
}

// SetDeadline sets the deadline of reads and writes; a reader waiting is
// woken to look at it.
func (c *harvestConn) SetDeadline(t time.Time) error {
	c.deadline.set(t)
	if c.deadline.passed(time.Now()) {
		c.wake() // a deadline in the future is the reader's own, set before it waits
	}
	return nil
}

// SetReadDeadline sets the deadline (one for reads and writes).
func (c *harvestConn) SetReadDeadline(t time.Time) error { return c.SetDeadline(t) }

// SetWriteDeadline sets the deadline (one for reads and writes).
func (c *harvestConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }

// LocalAddr returns the local address.
func (c *harvestConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the remote address.
func (c *harvestConn) RemoteAddr() net.Addr { return c.raddr }

// opError wraps err as net.Conn's methods do.
func (c *harvestConn) opError(op string, err error) error {
	return tcpOpError(op, err, c.laddr, c.raddr)
}

// deadlineBase anchors the deadlines of harvested connections on the
// monotonic clock.
var deadlineBase = time.Now()

// deadline is a connection's deadline, set and read without a lock: the
// nanoseconds from deadlineBase to it (at least one: a time before the
// base has passed as surely), 0 for none.
type deadline struct{ ns atomic.Int64 }

// set sets the deadline to t (none when t is zero).
func (d *deadline) set(t time.Time) {
	if t.IsZero() {
		d.ns.Store(0)
		return
	}
	d.ns.Store(max(int64(t.Sub(deadlineBase)), 1))
}

// passed reports whether the deadline has passed by now.
func (d *deadline) passed(now time.Time) bool {
	ns := d.ns.Load()
	return ns != 0 && int64(now.Sub(deadlineBase)) >= ns
}
