package contract

import (
	"context"
	"net/http"
	"runtime"
	"strings"

	"golang.org/x/sync/semaphore"
)

// A response body comes from the service under test, which may be broken or
// hostile. Its size is bounded where it is read (WithMaxBody, 1 MiB by
// default, counted after any decompression); the bounds below keep the cost
// of checking it bounded too, in memory and in time.
const (
	// maxDetailedBody is the largest body validated with every violation
	// collected (up to maxViolations). A larger body that fails is reported
	// with its first violation only: collecting them all costs memory for
	// each one (a 1 MiB array of 500,000 wrong items allocated 207 MiB).
	maxDetailedBody = 64 << 10
	// maxPointer and maxReason bound the text of one violation: a pointer
	// into JSON nested 10,000 deep is 40 KB long.
	maxPointer = 256
	maxReason  = 512
	// maxBodyDepth bounds the nesting of arrays and objects in a body that is
	// validated: validating JSON nested thousands deep costs far more per
	// byte than flat JSON (a 40 KB body nested 10,000 deep took 0.2 s of
	// CPU), and no API needs it. A deeper body is a violation of kind
	// undecodable body.
	maxBodyDepth = 256
)

// checking bounds the response bytes being validated at once in the
// process: as many 1 MiB bodies as there are cores. Decoding and validating
// a body holds several times its size in memory, and a check cannot be
// interrupted, so without a bound every request in flight would decode its
// body at once (a 2-second run against a service answering 1 MiB arrays
// took 90 s and peaked at 1.8 GiB of heap).
var checking = semaphore.NewWeighted(checkBudget())

// checkBudget is the bound of checking in bytes.
func checkBudget() int64 { return int64(max(runtime.GOMAXPROCS(0), 2)) << 20 }

// startCheck waits until body may be validated, and returns the function
// that ends the check. It gives up, returning false, when the request's
// context ends first (its deadline, or the end of the run).
func startCheck(resp *http.Response, body []byte) (done func(), ok bool) {
	ctx := context.Background()
	if resp.Request != nil {
		ctx = resp.Request.Context()
	}
	n := min(int64(len(body))+1, checkBudget())
	if checking.Acquire(ctx, n) != nil {
		return nil, false
	}
	return func() { checking.Release(n) }, true
}

// clip shortens s to at most n bytes, keeping its start and end.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	half := (n - len("…")) / 2
	return strings.ToValidUTF8(s[:half], "") + "…" + strings.ToValidUTF8(s[len(s)-half:], "")
}

// tooDeep reports whether the JSON text b nests arrays and objects deeper
// than limit, in one pass that skips strings.
func tooDeep(b []byte, limit int) bool {
	depth, inString := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			if depth++; depth > limit {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}
