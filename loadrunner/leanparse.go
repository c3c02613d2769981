package loadrunner

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/textproto"
)

// The lean engine's response parsing: pure functions over the bytes of a
// response head, so they are tested with tables and fuzzed, and allocate
// nothing unless the head is malformed.

// respHead is what the lean engine needs from a response head.
type respHead struct {
	status        int
	minor         int   // HTTP/1.minor
	contentLength int64 // -1 when absent
	chunked       bool
	close         bool // the connection closes after this response
	keepAlive     bool // "Connection: keep-alive" (matters for HTTP/1.0)
	location      []byte
}

// errMalformed is wrapped by every parse error: a response that is not
// HTTP/1.x (class transport.other, as net/http's parse errors are).
var errMalformed = errors.New("malformed HTTP response")

// headEnd returns the length of the head at the start of b (status line and
// header lines up to and including the empty line), or -1 when b does not
// hold a whole head yet. Lines end in "\n", optionally preceded by "\r".
func headEnd(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		line := b[i : i+j]
		i += j + 1
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return i // (an empty first line is a malformed status line)
		}
	}
}

// firstLine returns the status line at the start of b without its line end,
// and whether it is complete.
func firstLine(b []byte) ([]byte, bool) {
	j := bytes.IndexByte(b, '\n')
	if j < 0 {
		return b, false
	}
	return bytes.TrimSuffix(b[:j], []byte{'\r'}), true
}

// parseStatusLine parses "HTTP/1.x NNN reason" as net/http's ReadResponse
// does: the protocol, one space, a three-digit code, and an optional reason.
func parseStatusLine(line []byte) (status, minor int, err error) {
	proto, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok || len(proto) != 8 || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || proto[7] < '0' || proto[7] > '9' {
		return 0, 0, fmt.Errorf("%w: status line %q", errMalformed, clip(line))
	}
	code, _, _ := bytes.Cut(rest, []byte{' '})
	if len(code) != 3 || code[0] < '1' || code[0] > '9' || !digits(code) {
		return 0, 0, fmt.Errorf("%w: status code %q", errMalformed, clip(code))
	}
	status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	return status, int(proto[7] - '0'), nil
}

// parseHead parses a whole head (as headEnd delimits it) into h. hb, when
// not nil, builds the header of every line (for a check that needs it).
func parseHead(head []byte, h *respHead, hb *headerBuilder) error {
	hb.start(head)
	line, _ := firstLine(head)
	status, minor, err := parseStatusLine(line)
	if err != nil {
		return err
	}
	*h = respHead{status: status, minor: minor, contentLength: -1, location: h.location[:0]}
	rest := head[bytes.IndexByte(head, '\n')+1:]
	for len(rest) > 0 {
		j := bytes.IndexByte(rest, '\n')
		line, rest = bytes.TrimSuffix(rest[:j], []byte{'\r'}), rest[j+1:]
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // an obsolete folded continuation: never framing
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 || !token(name) {
			return fmt.Errorf("%w: header line %q", errMalformed, clip(line))
		}
		value = bytes.TrimSpace(value)
		if err := h.header(name, value); err != nil {
			return err
		}
		hb.add(name, value)
	}
	return nil
}

// headerBuilder builds the http.Header of a response head, for a check,
// with one allocation whatever the number of lines: the names and values
// are slices of one copy of the head (a name not in canonical form is
// copied canonicalized), and the values' one-element slices share one
// backing array. The header and that array are reused from one head to
// the next, as a check retains neither the response nor its header (see
// WithCheck).
type headerBuilder struct {
	h    http.Header
	head []byte // the head being parsed
	text string // its copy, which the names and values slice
	vals []string
}

// start begins the header of head.
func (b *headerBuilder) start(head []byte) {
	if b == nil {
		return
	}
	if b.h == nil {
		b.h = make(http.Header, 16)
	}
	clear(b.h)
	b.head, b.text = head, string(head)
	clear(b.vals)
	if lines := bytes.Count(head, []byte{'\n'}); cap(b.vals) < lines {
		b.vals = make([]string, 0, lines)
	}
	b.vals = b.vals[:0]
}

// add adds the line name: value, both slices of the head.
func (b *headerBuilder) add(name, value []byte) {
	if b == nil {
		return
	}
	key := textproto.CanonicalMIMEHeaderKey(b.slice(name))
	v := b.slice(value)
	if vs, ok := b.h[key]; ok {
		b.h[key] = append(vs, v)
		return
	}
	b.vals = append(b.vals, v)
	n := len(b.vals)
	b.h[key] = b.vals[n-1 : n : n]
}

// slice returns the part of the head's copy that part (a slice of the
// head) holds.
func (b *headerBuilder) slice(part []byte) string {
	if len(part) == 0 {
		return ""
	}
	at := cap(b.head) - cap(part)
	return b.text[at : at+len(part)]
}

// header records one header line's bearing on framing and redirects.
func (h *respHead) header(name, value []byte) error {
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		n, ok := parseLength(value)
		if !ok || (h.contentLength >= 0 && n != h.contentLength) {
			return fmt.Errorf("%w: bad Content-Length %q", errMalformed, clip(value))
		}
		h.contentLength = n
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		if !bytes.EqualFold(value, []byte("chunked")) {
			return fmt.Errorf("%w: unsupported transfer encoding %q", errMalformed, clip(value))
		}
		h.chunked = true
	case bytes.EqualFold(name, []byte("Connection")):
		for tok := range bytes.SplitSeq(value, []byte{','}) {
			tok = bytes.TrimSpace(tok)
			h.close = h.close || bytes.EqualFold(tok, []byte("close"))
			h.keepAlive = h.keepAlive || bytes.EqualFold(tok, []byte("keep-alive"))
		}
	case bytes.EqualFold(name, []byte("Location")):
		h.location = append(h.location[:0], value...)
	}
	return nil
}

// reusable reports whether the connection may carry another request after
// this response's body: HTTP/1.1 unless it says close, HTTP/1.0 only when
// it says keep-alive.
func (h *respHead) reusable() bool {
	if h.close {
		return false
	}
	return h.minor >= 1 || h.keepAlive
}

// hasBody reports whether a response to method with this head carries a
// body (RFC 9112 section 6.3).
func (h *respHead) hasBody(method string) bool {
	return method != "HEAD" && h.status >= 200 && h.status != 204 && h.status != 304
}

// parseLength parses a Content-Length value: decimal digits only.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 || !digits(b) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseChunkSize parses a chunk-size line (hex digits, then optional
// extensions after ';').
func parseChunkSize(line []byte) (int64, error) {
	size, _, _ := bytes.Cut(line, []byte{';'})
	size = bytes.TrimRight(size, " \t")
	if len(size) == 0 || len(size) > 15 {
		return 0, fmt.Errorf("%w: chunk size %q", errMalformed, clip(line))
	}
	var n int64
	for _, c := range size {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%w: chunk size %q", errMalformed, clip(line))
		}
		if n > math.MaxInt64>>4 {
			return 0, fmt.Errorf("%w: chunk size %q", errMalformed, clip(line))
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// token reports whether b is an HTTP token (a valid header name).
func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}

// clip bounds what an error message quotes of a malformed response.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
