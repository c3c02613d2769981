package contract

import (
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
)

// secretOptions tells the target what is secret beyond the built-in names
// (see secrets), so that none of it shows in what a run records, even when
// the service echoes a credential back.
func (o *Operation) secretOptions(c *config) []loadrunner.HTTPOption {
	names, values := o.secrets(c)
	return []loadrunner.HTTPOption{loadrunner.WithSecretNames(names...), loadrunner.WithSecretValues(values...)}
}

// secrets returns the parameter names of the document's API-key security
// schemes and the credentials given with WithBearer, WithAPIKey, WithBasic
// and WithSchemeCredential.
func (o *Operation) secrets(c *config) (names, values []string) {
	if o.doc.t.Components != nil {
		for _, ref := range o.doc.t.Components.SecuritySchemes {
			if ref != nil && ref.Value != nil && ref.Value.Type == "apiKey" && ref.Value.Name != "" {
				names = append(names, ref.Value.Name)
			}
		}
	}
	for key, v := range c.creds {
		values = append(values, v)
		if user, pass, ok := strings.Cut(v, ":"); ok && key == "type:basic" && user != "" {
			values = append(values, pass)
		}
	}
	return names, values
}

// redactedError is an error whose text is redacted; Unwrap still gives the
// cause, for errors.Is.
type redactedError struct {
	err error
	red *loadrunner.Redactor
}

func (e redactedError) Error() string { return e.red.String(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// redactErr returns err with the credentials of c redacted from its text:
// a request that failed validation can quote the values it was given.
func (o *Operation) redactErr(c *config, err error) error {
	return redactedError{err, o.redactor(c)}
}

// redactor returns a redactor for what c holds that is secret: the names
// and credentials of secrets, and the values of secret headers.
func (o *Operation) redactor(c *config) *loadrunner.Redactor {
	names, values := o.secrets(c)
	red := loadrunner.NewRedactor(names, values)
	for k, vs := range c.header {
		if red.IsSecretName(k) {
			values = append(values, vs...)
		}
	}
	return red.With(nil, values)
}

// redactSources replaces the pinned or learned values of parameters with a
// secret name by loadrunner.Redacted, and redacts the others' text.
func (o *Operation) redactSources(c *config, sources []ParamSource) {
	red := o.redactor(c)
	for i, s := range sources {
		for j, v := range s.Values {
			if red.IsSecretName(s.Name) {
				v = loadrunner.Redacted
			}
			sources[i].Values[j] = red.String(v)
		}
	}
}

// redactWith makes f redact what r does, as well as what it redacted
// before, in the findings it records from now on.
func (f *Findings) redactWith(r *loadrunner.Redactor) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.red = f.red.Merge(r)
}
