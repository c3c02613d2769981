package loadrunner

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SecretOption adds secrets to redact. It configures an HTTP target (HTTP,
// Journey) and a run (Run) alike: a target redacts its own description and
// errors with it, a run everything it records.
type SecretOption struct{ names, values []string }

func (o SecretOption) apply(c *config) {
	c.secretNames = append(c.secretNames, o.names...)
	c.secretValues = append(c.secretValues, o.values...)
}

func (o SecretOption) applyHTTP(c *httpConfig) {
	c.secretNames = append(c.secretNames, o.names...)
	c.secretValues = append(c.secretValues, o.values...)
}

// WithSecretNames makes the values of headers, query parameters and JSON
// fields with these names secret, in addition to the built-in names (see
// Redactor): the result shows name=REDACTED.
func WithSecretNames(names ...string) SecretOption { return SecretOption{names: names} }

// WithSecretValues makes these values secret wherever they appear in what
// the run records (a credential a check message might quote, say). An HTTP
// target finds the credentials in its own URLs and secret headers by
// itself; this is for credentials it cannot see.
func WithSecretValues(values ...string) SecretOption { return SecretOption{values: values} }

// Redactor returns the target's redactor: the built-in names, those given
// with WithSecretNames, the values given with WithSecretValues, and the
// credentials in the target's URLs (userinfo, secret query parameters) and
// in the values of its secret headers (WithHeader and the requests' own).
func (t *HTTPTarget) Redactor() *Redactor { return t.red }

// findSecrets adds the credentials of the target's base URL, headers and
// requests to its redactor.
func (t *HTTPTarget) findSecrets() {
	found := urlSecrets(t.red, t.base)
	found = append(found, headerSecrets(t.red, t.cfg.header)...)
	for _, p := range t.pool {
		found = append(found, urlSecrets(t.red, p.url)...)
		found = append(found, headerSecrets(t.red, p.header)...)
	}
	t.red = t.red.With(nil, found)
}

// urlErr describes a URL that did not parse without repeating it: the
// *url.Error that url.Parse returns quotes the URL whole.
func (t *HTTPTarget) urlErr(what, raw string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s %q: %w", what, t.red.String(raw), err)
}

// Redactor returns a redactor for every operation of the mix.
func (m *MixTarget) Redactor() *Redactor {
	var r *Redactor
	for _, p := range m.parts {
		r = r.Merge(redactorOf(p.Target))
	}
	return r
}

// Redactor returns the redactor of the journey's HTTP target, with the
// credentials in its steps' URLs and headers.
func (j *JourneyTarget) Redactor() *Redactor {
	r := j.http.Redactor()
	var found []string
	for _, st := range j.steps {
		if u, err := url.Parse(st.Request.URL); err == nil {
			found = append(found, urlSecrets(r, u)...)
		}
		found = append(found, headerSecrets(r, st.Request.Header)...)
	}
	return r.With(nil, found)
}

// redactorOf returns a target's redactor: its own (a method Redactor()
// *Redactor), or that of the target it wraps (a method Unwrap() Target),
// else nil (the built-in names).
func redactorOf(t Target) *Redactor {
	for range 16 {
		switch x := t.(type) {
		case interface{ Redactor() *Redactor }:
			return x.Redactor()
		case interface{ Unwrap() Target }:
			t = x.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// urlSecrets returns the credentials in u: the password of its userinfo
// (the user name when it has no password) and the values of its secret
// query parameters.
func urlSecrets(r *Redactor, u *url.URL) []string {
	if u == nil {
		return nil
	}
	var out []string
	if u.User != nil {
		pass, ok := u.User.Password()
		if !ok {
			pass = u.User.Username()
		}
		out = append(out, pass)
	}
	for name, vs := range u.Query() {
		if r.IsSecretName(name) {
			out = append(out, vs...)
		}
	}
	return out
}

// headerSecrets returns the values of h's secret headers, each with its
// parts: the credential after an auth scheme ("Bearer tok"), the
// user:password and password a Basic credential encodes, and each cookie's
// value.
func headerSecrets(r *Redactor, h http.Header) []string {
	var out []string
	for name, vs := range h {
		if !r.IsSecretName(name) {
			continue
		}
		cookie := strings.Contains(strings.ToLower(name), "cookie")
		for _, v := range vs {
			out = append(out, credentialParts(v, cookie)...)
		}
	}
	return out
}

// credentialParts returns v and the secrets inside it.
func credentialParts(v string, cookie bool) []string {
	v = strings.TrimSpace(v)
	out := []string{v}
	if cookie {
		for _, c := range strings.Split(v, ";") {
			if _, val, ok := strings.Cut(c, "="); ok {
				out = append(out, strings.TrimSpace(val))
			}
		}
		return out
	}
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		return out
	}
	cred = strings.TrimSpace(cred)
	out = append(out, cred)
	if strings.EqualFold(scheme, "basic") {
		if b, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, pass, ok := strings.Cut(string(b), ":"); ok {
				out = append(out, string(b), pass)
			}
		}
	}
	return out
}

// redactResult removes secrets from the text a run recorded in res: the
// target's description, why it stopped, the error examples (its
// operations' too), and the names, notes and warnings of the sources of
// the service's GC, runtime and profiles (a URL with a token, an error
// quoting it). Examples that differed only by a secret become one.
func (r *Redactor) redactResult(res *Result) *Result {
	res.Target = r.String(res.Target)
	res.PartialReason, res.Aborted = r.String(res.PartialReason), r.String(res.Aborted)
	r.examples(res.Errors.Examples)
	for _, op := range res.Operations {
		r.examples(op.Errors.Examples)
	}
	if g := res.GC; g != nil {
		r.texts(&g.Source, g.Warnings)
	}
	if rt := res.Runtime; rt != nil {
		r.texts(&rt.Source, rt.Warnings)
	}
	if p := res.Profiles; p != nil {
		r.texts(&p.Source, p.Notes, p.Warnings)
	}
	return res
}

// texts redacts a source's name and lists of messages in place.
func (r *Redactor) texts(name *string, lists ...[]string) {
	*name = r.String(*name)
	for _, list := range lists {
		for i, s := range list {
			list[i] = r.String(s)
		}
	}
}

// examples redacts each class's example messages in place.
func (r *Redactor) examples(byClass map[Class][]string) {
	for c, msgs := range byClass {
		var kept []string
		for _, m := range msgs {
			kept = addExample(kept, r.String(m))
		}
		byClass[c] = kept
	}
}
