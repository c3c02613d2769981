package contract

import (
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
)

// secretOptions tells the target what is secret beyond the built-in names:
// the parameter names of the document's API-key security schemes and the
// credentials given with WithBearer, WithAPIKey, WithBasic and
// WithSchemeCredential, so that neither shows in what a run records, even
// when the service echoes a credential back.
func (o *Operation) secretOptions(c *config) []loadrunner.HTTPOption {
	var names, values []string
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
	return []loadrunner.HTTPOption{loadrunner.WithSecretNames(names...), loadrunner.WithSecretValues(values...)}
}

// redactWith makes f redact what r does, as well as what it redacted
// before, in the findings it records from now on.
func (f *Findings) redactWith(r *loadrunner.Redactor) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.red = f.red.Merge(r)
}
