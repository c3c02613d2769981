package loadrunner

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Redacted is what a Redactor puts in place of every secret it removes, so
// that the text of two runs with different credentials still compares.
const Redacted = "REDACTED"

// MinSecretLen is the shortest credential value a Redactor removes wherever
// it appears. A shorter value is removed only where its name shows it (a
// header, a query parameter, a JSON field): removed everywhere, it would
// blank ordinary words.
const MinSecretLen = 4

// maxSecretValues bounds the values a Redactor looks for, so that a target
// with a large pool of varied requests cannot make redaction slow.
const maxSecretValues = 1024

// Redactor removes secrets from text before anything records it. A secret
// is found by its name or by its value:
//
//   - names: the Authorization, Proxy-Authorization, Cookie and Set-Cookie
//     headers; api_key, apikey, key, token, access_token, id_token, secret,
//     password, passwd, sig, signature, session and auth; and the names the
//     redactor was given. Names compare case-insensitively and by words, so
//     X-API-Key, apiKey, api-key and refresh_token are all secret. The value
//     of a header line, a query or form parameter (name=value) and a JSON
//     field with a secret name is replaced by Redacted.
//   - URL userinfo: http://user:password@host becomes http://REDACTED@host.
//   - Bearer and Basic credentials in free text.
//   - values: every credential value the redactor was given (at least
//     MinSecretLen long), wherever it appears, also URL-, JSON- or
//     Go-escaped; for instance a token that a response echoes and a check
//     quotes.
//
// A nil *Redactor redacts the built-in names, userinfo and credentials. A
// Redactor is immutable and safe for concurrent use.
type Redactor struct {
	names   map[string]bool // extra names, normalized
	longest int             // the longest normalized name, built-in ones included
	values  []string        // the credential values given, for With
	repl    *strings.Replacer
}

// NewRedactor returns a redactor for the built-in names plus names, and for
// the credential values.
func NewRedactor(names, values []string) *Redactor {
	return (*Redactor)(nil).With(names, values)
}

// With returns a redactor that removes what r does, and also the values of
// names and the values themselves.
func (r *Redactor) With(names, values []string) *Redactor {
	out := &Redactor{names: map[string]bool{}, longest: len("authorization")}
	var oldValues []string
	if r != nil {
		for n := range r.names {
			out.names[n] = true
		}
		oldValues = r.values
	}
	for _, n := range names {
		if n = normalizeName(n); n != "" {
			out.names[n] = true
		}
	}
	for n := range out.names {
		out.longest = max(out.longest, len(n))
	}
	seen := map[string]bool{}
	for _, v := range slices.Concat(oldValues, values) {
		if len(v) < MinSecretLen || strings.Contains(Redacted, v) || seen[v] || len(out.values) >= maxSecretValues {
			continue
		}
		seen[v] = true
		out.values = append(out.values, v)
	}
	out.repl = valueReplacer(out.values)
	return out
}

// Merge returns a redactor that removes what r and o both do.
func (r *Redactor) Merge(o *Redactor) *Redactor {
	if o == nil {
		return r.With(nil, nil)
	}
	names := make([]string, 0, len(o.names))
	for n := range o.names {
		names = append(names, n)
	}
	return r.With(names, o.values)
}

// valueReplacer replaces each value, and its escaped forms, by Redacted,
// longest first so that no part of a longer secret survives.
func valueReplacer(values []string) *strings.Replacer {
	if len(values) == 0 {
		return nil
	}
	forms := map[string]bool{}
	for _, v := range values {
		j, _ := json.Marshal(v)
		q := strconv.Quote(v)
		for _, f := range []string{v, url.QueryEscape(v), url.PathEscape(v), string(j[1 : len(j)-1]), q[1 : len(q)-1]} {
			if len(f) >= MinSecretLen {
				forms[f] = true
			}
		}
	}
	list := make([]string, 0, len(forms))
	for f := range forms {
		list = append(list, f)
	}
	slices.SortFunc(list, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	pairs := make([]string, 0, 2*len(list))
	for _, f := range list {
		pairs = append(pairs, f, Redacted)
	}
	return strings.NewReplacer(pairs...)
}

// IsSecretName reports whether a header, parameter or field of this name
// holds a secret: its whole name, or a run of its words, is a built-in
// name or one the redactor was given.
func (r *Redactor) IsSecretName(name string) bool {
	var buf [64]byte
	if len(name) > len(buf) || !isASCII(name) {
		return r.anyRun(splitWords(name))
	}
	var words [64][2]int // start and end of each word in name (at least a byte each)
	n := asciiWords(name, &words)
	longest := len("authorization")
	if r != nil {
		longest = r.longest
	}
	for i := range n {
		joined := buf[:0]
		for _, w := range words[i:n] {
			if len(joined)+w[1]-w[0] > longest {
				break
			}
			for _, c := range []byte(name[w[0]:w[1]]) {
				if isUpper(c) {
					c += 'a' - 'A'
				}
				joined = append(joined, c)
			}
			if builtinSecretNames[string(joined)] || (r != nil && r.names[string(joined)]) {
				return true
			}
		}
	}
	return false
}

// anyRun is IsSecretName over words already split.
func (r *Redactor) anyRun(words []string) bool {
	for i := range words {
		joined := ""
		for _, w := range words[i:] {
			joined += w
			if builtinSecretNames[joined] || (r != nil && r.names[joined]) {
				return true
			}
		}
	}
	return false
}

// builtinSecretNames are the built-in secret names, normalized.
var builtinSecretNames = map[string]bool{
	"authorization": true, "cookie": true, "apikey": true, "key": true, "token": true, "accesstoken": true,
	"idtoken": true, "secret": true, "password": true, "passwd": true, "sig": true, "signature": true,
	"session": true, "auth": true,
}

// asciiWords stores the bounds of the words of an ASCII name (as
// splitWords splits them) in words and returns their number.
func asciiWords(name string, words *[64][2]int) int {
	n, start := 0, -1
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := isLetter(c) || c >= '0' && c <= '9'
		boundary := alnum && start >= 0 && isUpper(c) &&
			(!isUpper(name[i-1]) || (i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z'))
		if start >= 0 && (!alnum || boundary) {
			words[n] = [2]int{start, i}
			n, start = n+1, -1
		}
		if alnum && start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words[n] = [2]int{start, len(name)}
		n++
	}
	return n
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// normalizeName lower-cases a name and drops its separators, so that
// API-Key, api_key and apiKey are one name.
func normalizeName(name string) string { return strings.Join(splitWords(name), "") }

// splitWords splits a name into lower-case words at separators (anything
// but letters and digits) and at camel-case boundaries: "X-API-Key" and
// "xApiKey" are both x, api, key.
func splitWords(name string) []string {
	var words []string
	rs := []rune(name)
	start := -1
	for i, c := range rs {
		alnum := unicode.IsLetter(c) || unicode.IsDigit(c)
		boundary := alnum && start >= 0 && unicode.IsUpper(c) &&
			(!unicode.IsUpper(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1])))
		if start >= 0 && (!alnum || boundary) {
			words = append(words, strings.ToLower(string(rs[start:i])))
			start = -1
		}
		if alnum && start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, strings.ToLower(string(rs[start:])))
	}
	return words
}

// credentialRE finds a Bearer or Basic credential in free text.
var credentialRE = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{4,})`)

// String returns s with every secret replaced by Redacted. Redacted text
// redacts to itself, unless a value given begins with the end of Redacted
// or ends with its start and so reappears next to it. Each kind of secret is
// looked for only when s holds its mark (://, :, =, a credential scheme),
// by a scan of s, so text without secrets costs little.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil && r.repl != nil {
		s = r.repl.Replace(s)
	}
	if strings.Contains(s, "://") {
		s = replaceSpans(s, userinfoSpans(s))
	}
	if strings.IndexByte(s, ':') >= 0 {
		s = replaceSpans(s, r.fieldSpans(s))
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = replaceSpans(s, r.pairSpans(s))
	}
	if containsFold(s, "bearer") || containsFold(s, "basic") {
		s = credentialRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := credentialRE.FindStringSubmatch(m)
			if !looksLikeCredential(sub[1], sub[3]) {
				return m
			}
			return sub[1] + sub[2] + Redacted
		})
	}
	return s
}

// looksLikeCredential tells a credential after "Bearer" or "Basic" from an
// ordinary word ("bearer token", "basic auth"): a Basic credential decodes
// to user:password; a bearer token has digits, symbols or mixed case, or
// is long.
func looksLikeCredential(scheme, v string) bool {
	if v == Redacted {
		return false
	}
	if strings.EqualFold(scheme, "basic") {
		if b, err := base64.StdEncoding.DecodeString(v); err == nil && strings.Contains(string(b), ":") {
			return true
		}
	}
	if len(v) >= 16 {
		return true
	}
	lower, upper := false, false
	for _, c := range v {
		switch {
		case unicode.IsLower(c):
			lower = true
		case unicode.IsUpper(c):
			upper = true
		default:
			return true
		}
	}
	return lower && upper
}

// URL returns the URL u with its userinfo and the values of its secret
// query parameters replaced by Redacted, and any credential value in the
// rest removed. Text that does not parse as a URL is redacted as String
// does.
func (r *Redactor) URL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return r.String(u)
	}
	if p.User != nil {
		p.User = url.User(Redacted)
	}
	if p.RawQuery != "" {
		parts := strings.Split(p.RawQuery, "&")
		for i, part := range parts {
			k, _, ok := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if ok && r.IsSecretName(name) {
				parts[i] = k + "=" + Redacted
			}
		}
		p.RawQuery = strings.Join(parts, "&")
	}
	return r.String(p.String())
}
