package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns the flag set of the subcommand name, writing to
// stderr, whose -h shows "usage: slaspec name synopsis" and every flag with
// its default.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("slaspec "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: slaspec %s %s\n", name, synopsis)
		printFlags(fs)
	}
	return fs
}

// printFlags is flag.PrintDefaults showing every default: the flag package
// leaves out zero values (0, 0s, false), which hides that -warmup is none
// unless set. A usage text that speaks of its own default ("default: the
// document's x-sla") or says the flag is required is left as it is.
func printFlags(fs *flag.FlagSet) {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  -%s", f.Name)
		if kind != "" {
			fmt.Fprintf(&b, " %s", kind)
		}
		fmt.Fprintf(&b, "\n    \t%s", strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !strings.Contains(usage, "default") && !strings.Contains(usage, "required") {
			fmt.Fprintf(&b, " (default %s)", defaultText(f))
		}
		b.WriteString("\n")
	})
	io.WriteString(fs.Output(), b.String())
}

// defaultText is how -h shows a flag's default.
func defaultText(f *flag.Flag) string {
	switch {
	case f.DefValue == "" || f.DefValue == "[]":
		return "none"
	case fmt.Sprintf("%T", f.Value) == "*flag.stringValue":
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}

// flagSet reports whether the flag name was given on the command line (and
// so an explicit zero is meant, not the default).
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
