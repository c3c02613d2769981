package contract

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Credential kinds: which of WithBearer, WithAPIKey and WithBasic fills a
// security scheme (the command line's -auth bearer:, apikey:, basic:).
const (
	CredentialBearer = "bearer" // HTTP bearer, OAuth2, OpenID Connect
	CredentialAPIKey = "apikey" // an API key in a header, query or cookie
	CredentialBasic  = "basic"  // HTTP basic
)

// SchemeNeed is one security scheme an operation needs a credential for.
type SchemeNeed struct {
	// Name is the scheme's name in the document's components.
	Name string
	// Kind is the kind of credential that fills it (CredentialBearer,
	// CredentialAPIKey, CredentialBasic), "" when only WithSchemeCredential
	// can (mutualTLS, an unknown type).
	Kind string
}

// CredentialsError is the error of an operation whose security requirements
// no credential given satisfies. Callers that take credentials another way
// (the command line's -auth) can name their own option from Requirements.
type CredentialsError struct {
	// Requirements are the alternatives the document allows, each the
	// schemes needed together.
	Requirements [][]SchemeNeed
}

// Error names the requirements and the options that satisfy them.
func (e *CredentialsError) Error() string {
	return fmt.Sprintf("security: needs credentials for %s: give them with WithBearer, WithAPIKey, WithBasic or WithSchemeCredential", e.alternatives())
}

// Unwrap marks the error as one no other random source can fix.
func (e *CredentialsError) Unwrap() error { return errNoCredentials }

// alternatives renders the requirements as "[a + b] or [c]".
func (e *CredentialsError) alternatives() string {
	alts := make([]string, len(e.Requirements))
	for i, req := range e.Requirements {
		names := make([]string, len(req))
		for j, s := range req {
			names[j] = s.Name
		}
		alts[i] = "[" + strings.Join(names, " + ") + "]"
	}
	return strings.Join(alts, " or ")
}

// CheckCredentials returns a *CredentialsError when opts give no credential
// for any of the operation's security requirements, before any request is
// generated or sent; nil when a requirement is satisfied or none applies.
func (o *Operation) CheckCredentials(opts ...Option) error {
	d := &draft{path: o.Path, query: url.Values{}, header: http.Header{}, pathParams: map[string]string{}}
	return o.security(newConfig(opts), d)
}

// credentialsError describes the requirements none of which was satisfied.
func (o *Operation) credentialsError(reqs openapi3.SecurityRequirements) *CredentialsError {
	e := &CredentialsError{}
	for _, req := range reqs {
		var need []SchemeNeed
		for _, name := range sortedKeys(req) {
			need = append(need, SchemeNeed{Name: name, Kind: o.credentialKind(name)})
		}
		e.Requirements = append(e.Requirements, need)
	}
	return e
}

// credentialKind is the kind of credential that fills the scheme name.
func (o *Operation) credentialKind(name string) string {
	ref := o.doc.t.Components.SecuritySchemes[name]
	if ref == nil || ref.Value == nil {
		return ""
	}
	return schemeKind(ref.Value)
}

// schemeKind is the kind of credential that fills s.
func schemeKind(s *openapi3.SecurityScheme) string {
	switch {
	case s.Type == "apiKey":
		return CredentialAPIKey
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		return CredentialBasic
	case s.Type == "http" || s.Type == "oauth2" || s.Type == "openIdConnect":
		return CredentialBearer
	}
	return ""
}
