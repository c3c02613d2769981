package loadrunner

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// Classify returns the transport class of a request error that carries no
// *Error: refused, reset, timeout, DNS or other.
func Classify(err error) Class {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ClassReset
	case errors.As(err, &dns):
		return ClassDNS
	}
	return ClassTransport
}
