package contract_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
)

// shop serves testdata/shop.yaml; broken makes getItem answer a string
// price on some items and an undeclared 418 on others, with a secret
// value that must not reach any message.
func shop(broken bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total", "2")
		fmt.Fprint(w, `[{"id":1,"name":"a","price":1.5},{"id":2,"name":"b","price":2}]`)
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id := r.PathValue("id")
		switch {
		case broken && strings.HasSuffix(id, "7"):
			w.WriteHeader(http.StatusTeapot)
			fmt.Fprint(w, `{"message":"teapot"}`)
		case broken:
			fmt.Fprintf(w, `{"id":%s,"name":"x","price":"secret-4111"}`, id)
		default:
			fmt.Fprintf(w, `{"id":%s,"name":"x","price":9.5}`, id)
		}
	})
	return mux
}

// runOp runs one operation's load against a server for a short while.
func runOp(t *testing.T, srv *httptest.Server, op *contract.Operation, opts ...contract.Option) *loadrunner.Result {
	t.Helper()
	target, err := op.Target(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := loadrunner.Run(ctx, loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond}, target)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCheckerGoodServer finds no violation on a server keeping the contract.
func TestCheckerGoodServer(t *testing.T) {
	srv := httptest.NewServer(shop(false))
	defer srv.Close()
	for _, id := range []string{"listItems", "getItem"} {
		op := operation(t, "shop.yaml", id)
		op.Findings().Reset()
		res := runOp(t, srv, op)
		if res.Requests == 0 || res.Errors.Total != 0 {
			t.Fatalf("%s: %d requests, errors %+v", id, res.Requests, res.Errors)
		}
		st := op.Findings().Stats()
		if st.Checked != int64(res.Requests) || len(op.Findings().List()) != 0 {
			t.Errorf("%s: stats %+v for %d requests, findings %v", id, st, res.Requests, op.Findings().List())
		}
	}
}

// TestCheckerBrokenServer catches a wrong-typed field and an undeclared
// status, naming the operation, status and JSON pointer, deduplicated.
func TestCheckerBrokenServer(t *testing.T) {
	srv := httptest.NewServer(shop(true))
	defer srv.Close()
	op := operation(t, "shop.yaml", "getItem")
	findings := contract.NewFindings(0)
	res := runOp(t, srv, op, contract.WithFindings(findings), contract.WithPoolSize(64))
	contractErrs := res.Errors.ByClass[loadrunner.ClassContract]
	if contractErrs == 0 || contractErrs != res.Errors.Total {
		t.Fatalf("errors %+v: want every failure in class contract", res.Errors)
	}
	examples := strings.Join(res.Errors.Examples[loadrunner.ClassContract], "\n")
	if !strings.Contains(examples, "operation getItem: status 200: body schema at /price") {
		t.Errorf("examples lack the wrong-typed field:\n%s", examples)
	}
	list := findings.List()
	want := map[string]bool{"200 body schema /price": false, "418 undeclared status ": false}
	var total int64
	for _, f := range list {
		k := fmt.Sprintf("%d %s %s", f.Status, f.Kind, f.Pointer)
		if _, ok := want[k]; ok {
			want[k] = true
		}
		total += f.Count
		if strings.Contains(f.Reason, "secret") {
			t.Errorf("finding leaks the value: %s", f)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no finding %q in %v", k, list)
		}
	}
	if len(list) != 2 || total != int64(contractErrs) {
		t.Errorf("want 2 deduplicated findings counting %d responses, got %v", contractErrs, list)
	}
}

// TestCheckResponse covers each kind of violation on one response.
func TestCheckResponse(t *testing.T) {
	list := operation(t, "shop.yaml", "listItems")
	get := operation(t, "shop.yaml", "getItem")
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		op     *contract.Operation
		status int
		header http.Header
		body   string
		want   []string
	}{
		{"good", get, 200, jsonCT, `{"id":1,"name":"a","price":1}`, nil},
		{"declared 404", get, 404, jsonCT, `{"message":"no"}`, nil},
		{"undeclared status", get, 500, jsonCT, `{}`, []string{"operation getItem: status 500: undeclared status: status 500 is not declared (declared: 200, 404)"}},
		{"default response", list, 503, jsonCT, `{"message":"busy"}`, nil},
		{"missing field", get, 200, jsonCT, `{"id":1,"name":"a"}`, []string{"status 200: body schema at /price"}},
		{"null array", list, 200, http.Header{"Content-Type": {"application/json"}, "X-Total": {"0"}}, `null`, []string{"status 200: body schema"}},
		{"missing header", list, 200, jsonCT, `[]`, []string{"required header X-Total is missing"}},
		{"bad header", list, 200, http.Header{"Content-Type": {"application/json"}, "X-Total": {"many"}}, `[]`, []string{"header X-Total does not match its schema"}},
		{"content type and body both", get, 200, http.Header{"Content-Type": {"text/plain"}}, `{"id":"x","name":"a","price":1}`,
			[]string{`content type "text/plain" is not declared (declared: application/json)`, "body schema at /id"}},
		{"not json", get, 200, jsonCT, `oops`, []string{"undecodable body: body is not valid JSON"}},
		{"empty", get, 200, jsonCT, ``, []string{"body is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.op.CheckResponse(tt.status, tt.header, []byte(tt.body))
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d violations %v, want %d", len(errs), errs, len(tt.want))
			}
			for i, w := range tt.want {
				var ce *contract.ContractError
				if !strings.Contains(errs[i].Error(), w) || !errors.As(errs[i], &ce) {
					t.Errorf("violation %d: %v, want a *ContractError containing %q", i, errs[i], w)
				}
			}
		})
	}
}

// TestSampling checks the policy: non-2xx always, the first N, then a
// fraction, with counts of what was checked.
func TestSampling(t *testing.T) {
	op := operation(t, "shop.yaml", "getItem")
	tests := []struct {
		name    string
		policy  contract.Sampling
		status  int
		n       int
		checked int64
	}{
		{"zero checks all", contract.Sampling{}, 200, 100, 100},
		{"first then tenth", contract.Sampling{First: 10, Fraction: 0.1}, 200, 110, 20},
		{"non-2xx always", contract.Sampling{First: 1, Fraction: 0.01}, 404, 50, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := contract.NewFindings(0)
			check := op.Checker(f, tt.policy)
			body := []byte(`{"id":1,"name":"a","price":1}`)
			if tt.status == 404 {
				body = []byte(`{"message":"no"}`)
			}
			for range tt.n {
				resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {"application/json"}}}
				if err := check(resp, body); err != nil {
					t.Fatal(err)
				}
			}
			if st := f.Stats(); st.Checked != tt.checked || st.Responses != int64(tt.n) {
				t.Errorf("stats %+v, want %d checked of %d", st, tt.checked, tt.n)
			}
		})
	}
	if _, err := op.Target("http://127.0.0.1:1", contract.WithSampling(contract.Sampling{Fraction: 2})); err == nil {
		t.Error("fraction 2 accepted")
	}
}

// TestFindingsBound keeps at most the bound of distinct findings.
func TestFindingsBound(t *testing.T) {
	op := operation(t, "shop.yaml", "getItem")
	f := contract.NewFindings(3)
	check := op.Checker(f, contract.Sampling{})
	for status := 500; status < 510; status++ {
		_ = check(&http.Response{StatusCode: status, Header: http.Header{}}, nil)
		_ = check(&http.Response{StatusCode: status, Header: http.Header{}}, nil)
	}
	if got := len(f.List()); got != 3 || f.Dropped() != 14 || f.List()[0].Count != 2 {
		t.Errorf("kept %d, dropped %d: %v", got, f.Dropped(), f.List())
	}
}
