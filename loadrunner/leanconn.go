package loadrunner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Bounds of the lean engine's reads.
const (
	// maxHeadBytes bounds a response head (status line and headers), as
	// the net/http engine's MaxResponseHeaderBytes does.
	maxHeadBytes = 64 << 10
	// maxChunkLine bounds a chunk-size line with its extensions.
	maxChunkLine = 4 << 10
	// leanBufSize is a connection's read buffer; it grows for a large head
	// and shrinks back after it.
	leanBufSize = 4 << 10
	// maxInformational bounds the 1xx responses skipped before a final one.
	maxInformational = 8
)

// leanConn is one kept-alive HTTP/1.1 connection of the lean engine, used by
// one goroutine at a time: it writes a request and reads its response
// itself, with no goroutine of its own.
type leanConn struct {
	nc     net.Conn
	buf    []byte // read buffer (len is its capacity); unread bytes are buf[r:w]
	r, w   int
	served int       // responses read whole on this connection
	first  time.Time // when the current response's first byte arrived
	head   respHead  // the current response's head
	body   []byte    // the current response's body, when collected
}

func newLeanConn(nc net.Conn) *leanConn {
	return &leanConn{nc: nc, buf: make([]byte, leanBufSize)}
}

// fill reads more bytes into the buffer, growing it up to limit when it is
// full (limit 0: no growth; the buffer is then recycled when consumed).
func (c *leanConn) fill(limit int) error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.w == len(c.buf) {
		switch {
		case c.r > 0:
			c.w = copy(c.buf, c.buf[c.r:c.w])
			c.r = 0
		case len(c.buf) < limit+1:
			nb := make([]byte, min(2*len(c.buf), limit+1))
			c.w = copy(nb, c.buf[c.r:c.w])
			c.buf = nb
		default:
			return errBufferFull
		}
	}
	n, err := c.nc.Read(c.buf[c.w:])
	if n > 0 {
		if c.first.IsZero() {
			c.first = c.arrived()
		}
		c.w += n
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

var errBufferFull = errors.New("read buffer full")

// arrivalTimer is a connection that knows when the bytes of its last read
// arrived (a harvested one: the kernel's receive time).
type arrivalTimer interface{ arrivalTime() time.Time }

// arrived returns when the bytes read last arrived: the kernel's receive
// time on a harvested connection, else now.
func (c *leanConn) arrived() time.Time {
	if a, ok := c.nc.(arrivalTimer); ok {
		return a.arrivalTime()
	}
	return time.Now()
}

// readHead reads a response head whole into the buffer and returns its
// length. A status line that is complete and malformed fails at once, as it
// does in net/http, without waiting for the rest of the head.
func (c *leanConn) readHead() (int, error) {
	checked := false
	for {
		b := c.buf[c.r:c.w]
		if n := headEnd(b); n >= 0 {
			if n > maxHeadBytes {
				return 0, errHeadTooLarge
			}
			return n, nil
		}
		if !checked {
			if line, ok := firstLine(b); ok {
				if _, _, err := parseStatusLine(line); err != nil {
					return 0, err
				}
				checked = true
			}
		}
		if err := c.fill(maxHeadBytes); err != nil {
			switch {
			case errors.Is(err, errBufferFull):
				return 0, errHeadTooLarge
			case errors.Is(err, io.EOF) && c.w > c.r:
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

var errHeadTooLarge = fmt.Errorf("response headers exceed the %d byte bound", maxHeadBytes)

// readResponse reads the response to a request with method: its head (1xx
// responses skipped) into c.head, and its body, drained or (collect)
// collected into c.body, bounded by maxBody. It reports whether the body
// ran to the connection's end (so the connection cannot be reused) and
// whether the head was read.
func (c *leanConn) readResponse(method string, maxBody int64, collect bool, hb *headerBuilder) (toEOF, gotHead bool, err error) {
	for range maxInformational {
		n, err := c.readHead()
		if err != nil {
			return false, false, err
		}
		err = parseHead(c.buf[c.r:c.r+n], &c.head, hb)
		c.r += n
		if err != nil {
			return false, false, err
		}
		if c.head.status >= 200 {
			break
		}
		if c.head.status == 101 {
			return false, true, fmt.Errorf("%w: unsolicited 101 Switching Protocols", errMalformed)
		}
	}
	if c.head.status < 200 {
		return false, true, fmt.Errorf("%w: more than %d informational responses", errMalformed, maxInformational)
	}
	c.body = c.body[:0]
	h := &c.head
	switch {
	case !h.hasBody(method):
		return false, true, nil
	case h.chunked:
		return false, true, c.readChunked(maxBody, collect)
	case h.contentLength > maxBody:
		// Read up to the bound first, as the net/http engine does, so a
		// body that stalls on its way fails the same way on both.
		if err := c.readN(maxBody+1, collect); err != nil {
			return false, true, err
		}
		return false, true, bodyOverBound(maxBody)
	case h.contentLength >= 0:
		return false, true, c.readN(h.contentLength, collect)
	}
	return true, true, c.readToEOF(maxBody, collect)
}

// bodyOverBound is the error of a body larger than the bound (the net/http
// engine's words).
func bodyOverBound(maxBody int64) error {
	return ClassError(ClassTransport, fmt.Errorf("response body exceeds the %d byte bound", maxBody))
}

// readN consumes n body bytes; a connection that ends first is an
// unexpected EOF (class reset).
func (c *leanConn) readN(n int64, collect bool) error {
	for n > 0 {
		if c.r == c.w {
			if err := c.fill(0); err != nil {
				return unexpected(err)
			}
		}
		k := int(min(int64(c.w-c.r), n))
		if collect {
			c.body = append(c.body, c.buf[c.r:c.r+k]...)
		}
		c.r += k
		n -= int64(k)
	}
	return nil
}

// readToEOF consumes a body delimited by the connection's end.
func (c *leanConn) readToEOF(maxBody int64, collect bool) error {
	var total int64
	for {
		k := c.w - c.r
		total += int64(k)
		if total > maxBody {
			return bodyOverBound(maxBody)
		}
		if collect {
			c.body = append(c.body, c.buf[c.r:c.w]...)
		}
		c.r = c.w
		if err := c.fill(0); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// readChunked consumes a chunked body and its trailer.
func (c *leanConn) readChunked(maxBody int64, collect bool) error {
	var total int64
	for {
		line, err := c.readLine(maxChunkLine)
		if err != nil {
			return err
		}
		size, err := parseChunkSize(line)
		if err != nil {
			return err
		}
		if size == 0 {
			return c.readTrailer()
		}
		if total += size; total > maxBody {
			return bodyOverBound(maxBody)
		}
		if err := c.readN(size, collect); err != nil {
			return err
		}
		if line, err = c.readLine(2); err != nil {
			return err
		} else if len(line) > 0 {
			return fmt.Errorf("%w: chunk data longer than its size", errMalformed)
		}
	}
}

// readTrailer consumes the trailer lines after the last chunk.
func (c *leanConn) readTrailer() error {
	var total int
	for {
		line, err := c.readLine(maxHeadBytes)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if total += len(line); total > maxHeadBytes {
			return errHeadTooLarge
		}
	}
}

// readLine consumes one line of at most limit bytes and returns it without
// its line end; it stays valid until the next read.
func (c *leanConn) readLine(limit int) ([]byte, error) {
	for {
		if j := bytes.IndexByte(c.buf[c.r:c.w], '\n'); j >= 0 {
			line := bytes.TrimSuffix(c.buf[c.r:c.r+j], []byte{'\r'})
			c.r += j + 1
			if len(line) > limit {
				return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, limit)
			}
			return line, nil
		}
		if c.w-c.r > limit+1 {
			return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, limit)
		}
		if err := c.fill(max(limit+2, len(c.buf))); err != nil {
			return nil, unexpected(err)
		}
	}
}

// unexpected turns the end of the connection in the middle of a response
// into io.ErrUnexpectedEOF (class reset), as net/http does.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// settle counts a response read whole and gives a buffer grown for a large
// head back to the garbage collector.
func (c *leanConn) settle() {
	c.served++
	if len(c.buf) > leanBufSize && c.r == c.w {
		c.buf, c.r, c.w = make([]byte, leanBufSize), 0, 0
	}
}

// releaseBody drops a collected body too large to keep for the next one.
func (c *leanConn) releaseBody() {
	if cap(c.body) > maxPooledBody {
		c.body = nil
	}
}
