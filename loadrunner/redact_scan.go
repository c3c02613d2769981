package loadrunner

import "strings"

// The scans below look back at most maxNameLen bytes for a name and skip
// at most maxSpaces blanks around a colon, and every forward scan either
// ends a span (which the next search starts after) or stops at a bound, so
// redacting a text costs time linear in its length, also a 1 MiB body a
// check quotes.
const (
	maxNameLen = 64
	maxSpaces  = 16
)

// span is a part of a text to replace by Redacted: [from, to).
type span struct{ from, to int }

// replaceSpans replaces each span of s (in order, not overlapping) by
// Redacted.
func replaceSpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.from])
		b.WriteString(Redacted)
		last = sp.to
	}
	b.WriteString(s[last:])
	return b.String()
}

// userinfoSpans finds the userinfo of each URL in s (scheme://userinfo@host).
func userinfoSpans(s string) []span {
	var out []span
	for i := 0; ; {
		p := strings.Index(s[i:], "://")
		if p < 0 {
			return out
		}
		from := i + p + 3
		auth := s[from:]
		if end := strings.IndexAny(auth, "/?# \t\r\n\"'<>\\"); end >= 0 {
			auth = auth[:end]
		}
		if at := strings.LastIndexByte(auth, '@'); at > 0 && auth[:at] != Redacted {
			out = append(out, span{from, from + at})
		}
		i = from + len(auth)
	}
}

// fieldSpans finds the values of secret JSON fields ("name": "value", also
// inside quoted text as \"name\": \"value\") and of secret header lines
// (Name: value, up to the end of the line, a quote or a backslash).
func (r *Redactor) fieldSpans(s string) []span {
	var out []span
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' || i < last {
			continue
		}
		sp, ok := r.jsonField(s, i)
		if !ok {
			sp, ok = r.headerField(s, i)
		}
		if ok {
			out = append(out, sp)
			last = sp.to
		}
	}
	return out
}

// blanksBefore returns the index after the non-blank byte before s[i],
// skipping at most maxSpaces blanks; blanksAfter the index of the first
// non-blank byte from s[i].
func blanksBefore(s string, i int) int {
	for n := 0; i > 0 && n < maxSpaces && (s[i-1] == ' ' || s[i-1] == '\t'); n++ {
		i--
	}
	return i
}

func blanksAfter(s string, i int) int {
	for n := 0; i < len(s) && n < maxSpaces && (s[i] == ' ' || s[i] == '\t'); n++ {
		i++
	}
	return i
}

// jsonField finds the value of a JSON string field with a secret name
// whose colon is at s[colon]. A value whose closing quote is missing (a
// body cut short) runs to the end of s.
func (r *Redactor) jsonField(s string, colon int) (span, bool) {
	j := s[:blanksBefore(s, colon)]
	if !strings.HasSuffix(j, `"`) {
		return span{}, false
	}
	quote := `"`
	if strings.HasSuffix(j, `\"`) {
		quote = `\"`
	}
	j = j[:len(j)-len(quote)]
	window := j[max(0, len(j)-maxNameLen-len(quote)):]
	k := strings.LastIndex(window, quote)
	if k < 0 {
		return span{}, false
	}
	name := window[k+len(quote):]
	if name == "" || strings.ContainsAny(name, "\" \\") || !r.IsSecretName(name) {
		return span{}, false
	}
	v := blanksAfter(s, colon+1)
	if !strings.HasPrefix(s[v:], quote) {
		return span{}, false
	}
	from := v + len(quote)
	to := closingQuote(s, from, quote)
	if s[from:to] == Redacted {
		return span{}, false
	}
	return span{from, to}, true
}

// closingQuote returns the index of the quote that ends the string
// starting at s[from], len(s) when it does not end.
func closingQuote(s string, from int, quote string) int {
	for i := from; i < len(s); i++ {
		switch {
		case quote == `"` && s[i] == '\\':
			i++
		case quote == `"` && s[i] == '"':
			return i
		case quote == `\"` && strings.HasPrefix(s[i:], `\\`):
			i++
		case quote == `\"` && strings.HasPrefix(s[i:], `\"`):
			return i
		}
	}
	return len(s)
}

// headerField finds the value of a header line with a secret name whose
// colon is at s[colon]: the name starts the text or follows a space, a
// quote or an opening bracket.
func (r *Redactor) headerField(s string, colon int) (span, bool) {
	end := blanksBefore(s, colon)
	k := end
	for k > 0 && end-k < maxNameLen && isNameByte(s[k-1], false) {
		k--
	}
	if k == end || !isLetter(s[k]) || (k > 0 && !strings.ContainsRune(" \t\r\n\"'{([,;", rune(s[k-1]))) || !r.IsSecretName(s[k:end]) {
		return span{}, false
	}
	v := blanksAfter(s, colon+1)
	to := indexAnyOrEnd(s, v, "\r\n\"'\\")
	if to == v || s[v:to] == Redacted {
		return span{}, false
	}
	return span{v, to}, true
}

// pairSpans finds the values of name=value pairs (queries, forms, cookies)
// with a secret name; a value ends at &, a space, a quote, <, >, ;, a
// comma, a backslash or #.
func (r *Redactor) pairSpans(s string) []span {
	var out []span
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '=' || i < last {
			continue
		}
		k := i
		for k > 0 && i-k < maxNameLen && isNameByte(s[k-1], true) {
			k--
		}
		if k == i || !r.IsSecretName(s[k:i]) {
			continue
		}
		to := indexAnyOrEnd(s, i+1, "& \t\r\n\"'<>;,\\#")
		if to == i+1 || s[i+1:to] == Redacted {
			continue
		}
		out = append(out, span{i + 1, to})
		last = to
	}
	return out
}

// indexAnyOrEnd returns the index of the first byte of chars in s from
// from on, len(s) when there is none.
func indexAnyOrEnd(s string, from int, chars string) int {
	if i := strings.IndexAny(s[from:], chars); i >= 0 {
		return from + i
	}
	return len(s)
}

// isNameByte reports whether c can be part of a header name (letters,
// digits, _ and -) or, with dot, of a parameter name (also .).
func isNameByte(c byte, dot bool) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '-' || dot && c == '.'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// containsFold reports whether s contains the lower-case ASCII word sub in
// any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
