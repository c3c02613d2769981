package contract_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/sla"
)

// TestLoadErrors checks the message of every kind of broken document.
func TestLoadErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"swagger2.yaml", "document has no operations"},
		{"swagger12.yaml", "swagger 1.2 is not supported: want 2.0"},
		{"version4.yaml", "openapi version 4.0.0 is not supported: want 3.0.x or 3.1.x"},
		{"noops.yaml", "document has no operations"},
		{"servervar.yaml", `servers[0] url "https://{region}.example.com": variable "region" has no value`},
		{"badschema.yaml", `invalid path /a: invalid operation GET: unsupported 'type' value "strin"`},
		{"slaunknown.yaml", "paths./a.get.x-sla.p99: unknown key"},
		{"sladuration.yaml", `x-sla.duration: want a Go duration string like "20s", got 20`},
		{"slabudget.yaml", `paths./a.get.x-sla.budget: sla: budget "p99<abc"`},
		{"missingref.yaml", "nowhere.yaml"},
		{"noresponses.yaml", "responses"},
		{"absent.yaml", "absent.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := contract.Load(filepath.Join("testdata", "load", tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "contract: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestLoadBytesErrors covers input that is not a document at all.
func TestLoadBytesErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty", "", "no openapi version field"},
		{"not yaml", "openapi: 3.0.0\n\t- : [", "contract: load"},
		{"external ref without base", readFile(t, "good31.yaml"), "contract: load"},
		{"oversized", "openapi: 3.0.0\n" + strings.Repeat("#", contract.MaxDocumentSize), "exceeds the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := contract.LoadBytes([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLoadGood loads a 3.1 document with relative-file refs and x-sla, and
// checks selection and budget resolution.
func TestLoadGood(t *testing.T) {
	doc, err := contract.Load(filepath.Join("testdata", "load", "good31.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version() != "3.1.0" || doc.Title() != "good" {
		t.Errorf("version %q title %q", doc.Version(), doc.Title())
	}
	tests := []struct {
		name string
		sel  []contract.Selector
		want []string
	}{
		{"all but deprecated", nil, []string{"listPets", "getPet"}},
		{"with deprecated", []contract.Selector{contract.IncludeDeprecated()}, []string{"listPets", "getPet", "deletePet"}},
		{"by tag", []contract.Selector{contract.ByTag("admin"), contract.IncludeDeprecated()}, []string{"deletePet"}},
		{"by path glob", []contract.Selector{contract.ByPath("/pets/*")}, []string{"getPet"}},
		{"by path prefix", []contract.Selector{contract.ByPath("/pets/**")}, []string{"listPets", "getPet"}},
		{"by method", []contract.Selector{contract.ByMethod("delete"), contract.IncludeDeprecated()}, []string{"deletePet"}},
		{"by id", []contract.Selector{contract.ByID("getPet", "listPets")}, []string{"listPets", "getPet"}},
		{"kinds and", []contract.Selector{contract.ByTag("pets"), contract.ByMethod("GET"), contract.ByPath("/pets")}, []string{"listPets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := doc.Operations(tt.sel...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range ops {
				got = append(got, o.ID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, sel := range []contract.Selector{contract.ByID("nope"), contract.ByPath("[")} {
		if _, err := doc.Operations(sel); err == nil {
			t.Errorf("selector %v: no error", sel)
		}
	}
	ops, _ := doc.Operations()
	list, get := ops[0], ops[1]
	suite := contract.LoadSpec{Rate: 1, Duration: time.Second, Warmup: time.Millisecond, SLA: sla.MustParse("p50<1s")}
	checks := []struct {
		name string
		got  contract.LoadSpec
		want contract.LoadSpec
	}{
		{"operation x-sla wins", list.Resolve(contract.LoadSpec{}, suite), contract.LoadSpec{Rate: 200, Duration: 20 * time.Second, Warmup: 2 * time.Second, SLA: sla.MustParse("p99<150ms, errors<0.1%")}},
		{"user wins", list.Resolve(contract.LoadSpec{Rate: 5}, suite), contract.LoadSpec{Rate: 5, Duration: 20 * time.Second, Warmup: 2 * time.Second, SLA: sla.MustParse("p99<150ms, errors<0.1%")}},
		{"top level then suite", get.Resolve(contract.LoadSpec{}, suite), contract.LoadSpec{Rate: 100, Duration: 10 * time.Second, Warmup: time.Millisecond, SLA: sla.MustParse("p99<200ms")}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, c.got, c.want)
		}
	}
	if l := list.Labels(); strings.Join(l, ",") != "pets,listPets" {
		t.Errorf("labels %v", l)
	}
}

// readFile reads a testdata/load document.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "load", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
