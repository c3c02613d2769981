package report

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/slaspec/slaspec/contract"
)

// coverageRow is one response of an operation's coverage as the reports
// show it: a documented response never seen reads "never", an
// undocumented one that was seen "no".
type coverageRow struct {
	Status, ContentType, Seen, Documented string
}

// coverageRows lays out c for the Markdown and HTML reports (nil for an
// entry without coverage).
func coverageRows(c *contract.Coverage) []coverageRow {
	if c == nil {
		return nil
	}
	rows := make([]coverageRow, 0, len(c.Responses))
	for _, r := range c.Responses {
		row := coverageRow{Status: r.Status, ContentType: cmp.Or(r.ContentType, "-"), Seen: strconv.FormatInt(r.Count, 10), Documented: "yes"}
		if r.Count == 0 {
			row.Seen = "never"
		}
		if !r.Documented {
			row.Documented = "no"
		}
		rows = append(rows, row)
	}
	return rows
}

// sourceRow is one parameter of an operation's requests as the reports show
// where its values came from (pinned, learned, the document's example, the
// schema).
type sourceRow struct {
	Parameter, From, Values string
}

// sourceRows lays out an entry's parameter sources for the Markdown and
// HTML reports.
func sourceRows(sources []contract.ParamSource) []sourceRow {
	rows := make([]sourceRow, 0, len(sources))
	for _, s := range sources {
		rows = append(rows, sourceRow{Parameter: s.Name + " (" + s.In + ")", From: s.Origins(), Values: cmp.Or(strings.Join(s.Values, ", "), "-")})
	}
	return rows
}
