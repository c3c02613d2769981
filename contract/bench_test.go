package contract_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

// BenchmarkCheck measures response validation per response: a small item
// (about 40 bytes), one that breaks the contract (its finding recorded,
// redacted) and a list of about 4 KB.
func BenchmarkCheck(b *testing.B) {
	get := operation(b, "shop.yaml", "getItem")
	list := operation(b, "shop.yaml", "listItems")
	var items []string
	for i := 0; len(strings.Join(items, ",")) < 4000; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"item %d","price":%d.5}`, i, i, i))
	}
	cases := []struct {
		name   string
		op     *contract.Operation
		header http.Header
		body   []byte
		broken bool
	}{
		{"item-40B", get, http.Header{"Content-Type": {"application/json"}}, []byte(`{"id":1,"name":"a","price":1.5}`), false},
		{"item-violation", get, http.Header{"Content-Type": {"application/json"}}, []byte(`{"id":"x","name":"a","price":1.5}`), true},
		{"list-4KB", list, http.Header{"Content-Type": {"application/json"}, "X-Total": {"9"}}, []byte("[" + strings.Join(items, ",") + "]"), false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			check := c.op.Checker(contract.NewFindings(0), contract.Sampling{})
			resp := &http.Response{StatusCode: 200, Header: c.header}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if err := check(resp, c.body); (err != nil) != c.broken {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPool measures building a request pool of 32 requests.
func BenchmarkPool(b *testing.B) {
	op := operation(b, "synth.yaml", "createItem")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op.Pool(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckHostile measures the check of one large body a broken or
// hostile service may send (see TestHostileBodiesAreBoundedAndClassified).
func BenchmarkCheckHostile(b *testing.B) {
	for _, c := range hostileBodies(b) {
		if c.gzip {
			continue
		}
		b.Run(strings.ReplaceAll(c.name, " ", "-"), func(b *testing.B) {
			check := hostileOperation(b, c.schema).Checker(contract.NewFindings(0), contract.Sampling{})
			resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				check(resp, c.body)
			}
		})
	}
}
