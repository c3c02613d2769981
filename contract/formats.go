package contract

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// formatValidators are the string formats enforced on top of kin-openapi's
// defaults (date, date-time, byte), scoped to one document.
func formatValidators() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{
		"uuid":  openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562),
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
		"ipv4":  openapi3.NewIPValidator(true),
		"ipv6":  openapi3.NewIPValidator(false),
		"uri":   openapi3.NewCallbackValidator(validateURI),
	}
}

// validateURI accepts an absolute URI.
func validateURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return errors.New("not an absolute uri")
	}
	return nil
}

// genFormat returns a random string of a known format, ok false for a format
// it does not know (which then constrains nothing).
func genFormat(rng *rand.Rand, format string) (string, bool) {
	switch format {
	case "uuid":
		return genUUID(rng), true
	case "date":
		return genTime(rng).Format(time.DateOnly), true
	case "date-time":
		return genTime(rng).Format(time.RFC3339), true
	case "email":
		return genWord(rng, 3, 8) + "@example.com", true
	case "uri", "url":
		return "https://example.com/" + genWord(rng, 1, 8), true
	case "hostname":
		return genWord(rng, 3, 8) + ".example.com", true
	case "ipv4":
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return netip.AddrFrom4(b).String(), true
	case "ipv6":
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return netip.AddrFrom16(b).String(), true
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte(genWord(rng, 1, 12))), true
	case "binary":
		return genWord(rng, 1, 16), true
	}
	return "", false
}

// formatLen is the length of a generated format value, or ok false when the
// format's length varies.
func formatFixed(format string) bool {
	switch format {
	case "uuid", "date", "date-time", "ipv4", "ipv6":
		return true
	}
	return false
}

// genUUID returns a version-4 UUID.
func genUUID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// genTime returns a second-precision UTC time between 2000 and 2030.
func genTime(rng *rand.Rand) time.Time {
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	return base.Add(time.Duration(rng.Int64N(30*365*24*3600)) * time.Second)
}

// genWord returns a lower-case ASCII word of min..max letters.
func genWord(rng *rand.Rand, min, max int) string {
	n := min
	if max > min {
		n += rng.IntN(max - min + 1)
	}
	var b strings.Builder
	for range n {
		b.WriteByte(byte('a' + rng.IntN(26)))
	}
	return b.String()
}
