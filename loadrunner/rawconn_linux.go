//go:build linux

package loadrunner

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawTCP reads and writes a plain TCP connection of the lean engine with
// raw system calls made inside the network poller's callbacks
// (syscall.RawConn). The socket is non-blocking, so a call never blocks:
// when it would, the callback returns and the poller waits for the socket,
// honouring its deadlines, as net.Conn does. What the raw call saves is the
// runtime's system-call entry and exit, which on an idle process also wakes
// the runtime's monitor thread: a tenth of a lean generator's CPU at 5,000
// req/s, where a request's two wake-ups leave the process idle between
// them. The callbacks are method values made once, so a read or a write
// allocates nothing.
type rawTCP struct {
	*net.TCPConn
	rc              syscall.RawConn
	rbuf, wbuf      []byte
	rn, wn          int
	rerr, werr      syscall.Errno
	readFn, writeFn func(fd uintptr) bool
}

// fastConn returns nc read and written by raw system calls when it is a
// plain TCP connection, else nc itself.
func fastConn(nc net.Conn) net.Conn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nc
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nc
	}
	c := &rawTCP{TCPConn: tc, rc: rc}
	c.readFn, c.writeFn = c.readOnce, c.writeAll
	return c
}

// Read reads into p what the socket holds, waiting for it when empty.
func (c *rawTCP) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rbuf, c.rn, c.rerr = p, 0, 0
	err := c.rc.Read(c.readFn)
	c.rbuf = nil
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case c.rerr != 0:
		return 0, c.opError("read", os.NewSyscallError("read", c.rerr))
	case c.rn == 0:
		return 0, io.EOF
	}
	return c.rn, nil
}

func (c *rawTCP) readOnce(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch errno {
		case 0:
			c.rn = int(n)
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rerr = errno
		return true
	}
}

// Write writes all of p, waiting for the socket when its buffer is full.
// Sent with MSG_NOSIGNAL: a peer that closed makes it fail with EPIPE,
// raising no signal.
func (c *rawTCP) Write(p []byte) (int, error) {
	c.wbuf, c.wn, c.werr = p, 0, 0
	err := c.rc.Write(c.writeFn)
	c.wbuf = nil
	switch {
	case err != nil:
		return c.wn, c.opError("write", err)
	case c.werr != 0:
		return c.wn, c.opError("write", os.NewSyscallError("write", c.werr))
	}
	return c.wn, nil
}

func (c *rawTCP) writeAll(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		n, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&c.wbuf[c.wn])), uintptr(len(c.wbuf)-c.wn), syscall.MSG_NOSIGNAL, 0, 0)
		switch errno {
		case 0:
			c.wn += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.werr = errno
			return true
		}
	}
	return true
}

// opError wraps err as net.Conn's methods do (op "read" or "write", the
// addresses), keeping what the poller said (a deadline, a closed
// connection) as the cause.
func (c *rawTCP) opError(op string, err error) error {
	return tcpOpError(op, err, c.LocalAddr(), c.RemoteAddr())
}

// tcpOpError wraps err as a TCP net.Conn's methods do (op "read" or
// "write", the addresses), keeping what the poller said (a deadline, a
// closed connection) as the cause; the raw and the harvested connections
// share it.
func tcpOpError(op string, err error, local, remote net.Addr) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: "tcp", Source: local, Addr: remote, Err: err}
}
