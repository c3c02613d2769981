//go:build linux

package loadrunner

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestRawTCP checks the raw connection against a loopback peer: it reads
// and writes, waits for data, honours deadlines, reads EOF when the peer
// closes, and reports a reset with the errno the classes look for.
func TestRawTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan net.Conn, 2)
	go func() {
		for range 2 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers <- c
		}
	}()
	dial := func() (net.Conn, net.Conn) {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c := fastConn(nc)
		if _, ok := c.(*rawTCP); !ok {
			t.Fatalf("fastConn(%T) = %T, want *rawTCP", nc, c)
		}
		return c, <-peers
	}

	c, peer := dial()
	if n, err := c.Write([]byte("ping")); n != 4 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	buf := make([]byte, 16)
	if n, err := io.ReadFull(peer, buf[:4]); n != 4 || err != nil || string(buf[:4]) != "ping" {
		t.Fatalf("peer read %q, %v", buf[:n], err)
	}
	go func() { time.Sleep(20 * time.Millisecond); _, _ = peer.Write([]byte("pong")) }()
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("read %q, %v (the read must wait for the data)", buf[:n], err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	peer.Close()
	if n, err := c.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read after the peer closed: %d, %v; want EOF", n, err)
	}
	c.Close()

	c, peer = dial()
	_ = peer.(*net.TCPConn).SetLinger(0) // close with RST
	peer.Close()
	time.Sleep(20 * time.Millisecond)
	_, rerr := c.Read(buf)
	_, werr := c.Write([]byte("x"))
	if !errors.Is(rerr, syscall.ECONNRESET) && !errors.Is(werr, syscall.ECONNRESET) && !errors.Is(werr, syscall.EPIPE) {
		t.Fatalf("after a reset: read %v, write %v; want ECONNRESET or EPIPE", rerr, werr)
	}
	c.Close()
	if _, err := c.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read of a closed connection: %v, want net.ErrClosed", err)
	}
}
