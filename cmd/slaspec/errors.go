package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/slaspec/slaspec/contract"
)

// libraryPrefixes are the error prefixes of slaspec's packages. An error
// printed after the command's own prefix ("slaspec contract: ") would
// stutter with them ("slaspec contract: contract: load: ..."), so errorText
// leaves them out.
var libraryPrefixes = []string{"capacity", "contract", "ginkgoplugin", "loadrunner", "report", "sla"}

// errorText is err's message as the command line prints it: without the
// library packages' prefixes, at the start or after another part's colon.
func errorText(err error) string {
	msg := ": " + err.Error()
	for _, p := range libraryPrefixes {
		msg = strings.ReplaceAll(msg, ": "+p+": ", ": ")
	}
	return msg[2:]
}

// authFlags are how -auth gives each kind of credential.
var authFlags = map[string]string{
	contract.CredentialBearer: "-auth bearer:TOKEN",
	contract.CredentialAPIKey: "-auth apikey:KEY",
	contract.CredentialBasic:  "-auth basic:USER:PASSWORD",
}

// checkCredentials refuses, before anything is sent, to load operations
// whose security schemes the credentials given (-auth) do not satisfy,
// naming the -auth form each needs, operations grouped by what they need.
func checkCredentials(ops []*contract.Operation, opts []contract.Option) error {
	var needs []string
	byNeed := map[string][]string{}
	for _, op := range ops {
		var ce *contract.CredentialsError
		if !errors.As(op.CheckCredentials(opts...), &ce) {
			continue
		}
		need := authNeed(ce)
		if byNeed[need] == nil {
			needs = append(needs, need)
		}
		byNeed[need] = append(byNeed[need], op.String())
	}
	if len(needs) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the document's security schemes need credentials that -auth does not give; nothing was sent:")
	for _, need := range needs {
		names := byNeed[need]
		if len(names) > 3 {
			names = append(names[:3:3], fmt.Sprintf("and %d more", len(byNeed[need])-3))
		}
		fmt.Fprintf(&b, "\n  %s: %s", need, strings.Join(names, ", "))
	}
	return errors.New(b.String())
}

// authNeed says which -auth satisfies one of the requirements of ce.
func authNeed(ce *contract.CredentialsError) string {
	alts := make([]string, len(ce.Requirements))
	for i, req := range ce.Requirements {
		flag, ok := authFlags[req[0].Kind]
		switch {
		case len(req) == 1 && ok:
			alts[i] = fmt.Sprintf("%s (scheme %s)", flag, req[0].Name)
		default:
			names := make([]string, len(req))
			for j, s := range req {
				names[j] = s.Name
			}
			alts[i] = fmt.Sprintf("scheme [%s], which -auth cannot give (the Go API's WithSchemeCredential can)", strings.Join(names, " + "))
		}
	}
	return strings.Join(alts, " or ")
}
