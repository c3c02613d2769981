package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/slaspec/slaspec/contract"
)

// paramFlags collects -param operationId.name=value (or name=value).
type paramFlags []string

func (p *paramFlags) String() string { return strings.Join(*p, " ") }

func (p *paramFlags) Set(v string) error {
	key, _, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("want operationId.name=value or name=value, got %q", v)
	}
	*p = append(*p, v)
	return nil
}

// options turns the pins into request options, checking each against the
// selected operations: an operationId that is not selected, or a parameter
// the operation lacks, is an error naming what there is.
func (p paramFlags) options(ops []*contract.Operation) ([]contract.Option, error) {
	var out []contract.Option
	for _, pin := range p {
		key, value, _ := strings.Cut(pin, "=")
		if opt, ok, err := pinOperation(ops, key, value); ok || err != nil {
			if err != nil {
				return nil, err
			}
			out = append(out, opt)
			continue
		}
		if !slices.ContainsFunc(ops, func(o *contract.Operation) bool { _, has := o.ParamIn(key); return has }) {
			return nil, fmt.Errorf("%s: no selected operation has a parameter %q (write operationId.name=value for one operation)", pin, key)
		}
		out = append(out, contract.WithParam("", key, value))
	}
	return out, nil
}

// pinOperation reads key as operationId.name; ok is false when no selected
// operation has that operationId.
func pinOperation(ops []*contract.Operation, key, value string) (contract.Option, bool, error) {
	i := strings.LastIndex(key, ".")
	if i <= 0 {
		return nil, false, nil
	}
	id, name := key[:i], key[i+1:]
	j := slices.IndexFunc(ops, func(o *contract.Operation) bool { return o.ID == id })
	if j < 0 {
		return nil, false, nil
	}
	in, ok := ops[j].ParamIn(name)
	if !ok {
		return nil, true, fmt.Errorf("%s=%s: operation %s has no parameter %q", key, value, id, name)
	}
	return contract.ForOperation(id, contract.WithParam(in, name, value)), true, nil
}

// printDiscovery says what discovery learned and what it could not.
func printDiscovery(w io.Writer, l *contract.Learned) {
	if l == nil || l.Requests == 0 {
		return
	}
	var got []string
	for _, p := range l.Params {
		got = append(got, fmt.Sprintf("%s (%d values)", p.Name, len(p.Values)))
	}
	if len(got) == 0 {
		got = []string{"nothing"}
	}
	fmt.Fprintf(w, "\ndiscovery for %s: %d requests, learned %s\n", l.OperationID, l.Requests, strings.Join(got, ", "))
	for _, n := range l.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}
