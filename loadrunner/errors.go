package loadrunner

import (
	"errors"
	"fmt"
)

// Class names a kind of failed request. Every completed request is either ok
// or counted in exactly one class.
type Class string

// The error classes slaspec counts.
const (
	ClassRefused   Class = "transport.refused" // connection refused
	ClassReset     Class = "transport.reset"   // connection reset or closed mid-exchange
	ClassTimeout   Class = "transport.timeout" // the per-request timeout expired
	ClassDNS       Class = "transport.dns"     // the host name did not resolve
	ClassTLS       Class = "transport.tls"     // TLS failed: certificate not trusted, handshake refused, protocol not negotiated
	ClassTransport Class = "transport.other"   // any other transport failure
	Class4xx       Class = "http.4xx"          // the server answered 4xx
	Class5xx       Class = "http.5xx"          // the server answered 5xx
	ClassCheck     Class = "check"             // a user check rejected the response
	ClassContract  Class = "contract"          // the response broke the API contract
)

// The class families: a class "family.kind" belongs to its family, so a
// budget on a family counts every class in it.
const (
	FamilyTransport Class = "transport" // every transport.* class
	FamilyHTTP      Class = "http"      // http.4xx and http.5xx
)

// In reports whether c is family itself or one of its classes:
// ClassRefused.In(FamilyTransport) is true.
func (c Class) In(family Class) bool {
	return c == family || len(c) > len(family) && c[len(family)] == '.' && c[:len(family)] == family
}

// Error is a failed request with its class. Targets return an *Error (or wrap
// one) to choose the class; any other error is classified by Classify.
type Error struct {
	Class Class
	Err   error
}

// Error returns the class and the underlying message.
func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Class, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ClassError returns err marked with class c.
func ClassError(c Class, err error) error { return &Error{Class: c, Err: err} }

// ClassOf returns the class of a request error: the class of an *Error in
// err's chain, otherwise the transport class that Classify finds.
func ClassOf(err error) Class {
	if e := asError(err); e != nil {
		return e.Class
	}
	return Classify(err)
}

// asError finds the first *Error in err's chain without allocating, as
// errors.As would (it is called for every failed request).
func asError(err error) *Error {
	for ; err != nil; err = errors.Unwrap(err) {
		if e, ok := err.(*Error); ok {
			return e
		}
	}
	return nil
}
