package main

import (
	"flag"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
)

// redactFlag collects the names -redact adds to the secret names.
type redactFlag struct{ names listFlag }

func (r *redactFlag) register(fs *flag.FlagSet) {
	fs.Var(&r.names, "redact", "also treat headers, query parameters and JSON fields of this `name` as secret (repeatable, comma separated); "+
		"Authorization, cookies, api_key, token, secret, password and the like always are")
}

// option makes the names secret for an HTTP target.
func (r *redactFlag) option() loadrunner.HTTPOption { return loadrunner.WithSecretNames(r.names...) }

// contractOption makes the names secret for a contract's targets.
func (r *redactFlag) contractOption() contract.Option { return contract.WithHTTPOptions(r.option()) }
