package report

import (
	"cmp"
	"strconv"

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
