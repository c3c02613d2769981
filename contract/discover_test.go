package contract_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/loadrunner"
)

// TestDiscoverReachesRealResources: against a store that numbers pets from
// 1000, every documented 2xx of every operation is observed once the
// requests use the ids the service itself gave.
func TestDiscoverReachesRealResources(t *testing.T) {
	base, ops := emptyStore(t)
	for _, op := range ops { // path then method order: findPets, addPet, findPetByID, deletePet
		l, err := op.Discover(context.Background(), base, contract.WithSeed(5))
		if err != nil {
			t.Fatalf("%s: discover: %v", op, err)
		}
		p := hit(t, op, base, 40, contract.WithSeed(5), contract.WithLearned(l))
		cov := p.Coverage.Coverage()
		if v := cov.Verdict(); v.Status != "pass" {
			t.Errorf("%s: %s (learned %+v)", op, v.Detail, l)
		}
		for _, r := range cov.Responses {
			if r.Documented && strings.HasPrefix(r.Status, "2") && r.Count == 0 {
				t.Errorf("%s: documented %s never observed", op, r.Status)
			}
		}
		if op.Path == "/pets/{id}" {
			if len(l.Params) != 1 || l.Params[0].From != "learned from findPets (GET /pets) field id" || l.Params[0].Values[0] != "1000" {
				t.Errorf("%s learned %+v: addPet's run made pets, the list names them", op, l.Params)
			}
			if s := p.Pool.Sources; len(s) != 1 || s[0].From[l.Params[0].From] != 32 {
				t.Errorf("%s sources %+v", op, s)
			}
		}
	}
}

// TestDiscoverCreatesWhenTheListIsEmpty: an empty store lists nothing, so
// discovery creates pets and takes their ids.
func TestDiscoverCreatesWhenTheListIsEmpty(t *testing.T) {
	store := petstore.New()
	srv := httptest.NewServer(store.Handler("", nil))
	defer srv.Close()
	l, err := byID(t, petstoreDoc(t), "deletePet").Discover(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Params) != 1 || l.Params[0].From != "learned from addPet (POST /pets) field id" ||
		strings.Join(l.Params[0].Values, ",") != "1000,1001,1002,1003" || l.Requests != 6 || store.Len() != 4 {
		t.Errorf("learned %+v, %d pets in the store", l, store.Len())
	}
}

// TestDiscoverPinnedAndOff: a pinned parameter is not discovered, and
// WithoutDiscovery sends nothing.
func TestDiscoverPinnedAndOff(t *testing.T) {
	doc := petstoreDoc(t)
	sent := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent++ }))
	defer srv.Close()
	op := byID(t, doc, "findPetByID")
	for name, opt := range map[string]contract.Option{
		"pinned":            contract.WithParam("path", "id", "7"),
		"pinned by name":    contract.ForOperation("findPetByID", contract.WithParam("", "id", "7")),
		"without discovery": contract.WithoutDiscovery(),
	} {
		l, err := op.Discover(context.Background(), srv.URL, opt)
		if err != nil || l.Requests != 0 || sent != 0 {
			t.Errorf("%s: %d requests sent, %v", name, sent, err)
		}
	}
	pool, err := op.Pool(contract.ForOperation("findPetByID", contract.WithParam("", "id", "7")), contract.WithPoolSize(2))
	if err != nil || pool.Requests[0].URL != "/pets/7" || pool.Sources[0].From["pinned"] != 2 {
		t.Errorf("pool %+v, %v", pool, err)
	}
}

// TestDiscoverLinksAndLocation: a declared link names the field; a create
// that answers with only a Location header still gives the id.
func TestDiscoverLinksAndLocation(t *testing.T) {
	doc, err := contract.LoadBytes([]byte(linkDoc))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/orders":
			w.Header().Set("Location", "/orders/o-77")
			w.WriteHeader(http.StatusCreated)
		case r.Method == "GET" && r.URL.Path == "/me":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"account": {"number": "acc-9"}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	for id, want := range map[string]string{"getOrder": "o-77", "getAccount": "acc-9"} {
		l, err := byID(t, doc, id).Discover(context.Background(), srv.URL)
		if err != nil || len(l.Params) != 1 || len(l.Params[0].Values) == 0 || l.Params[0].Values[0] != want {
			t.Errorf("%s: learned %+v, %v; want %s", id, l, err, want)
		}
	}
}

const linkDoc = `openapi: 3.0.3
info: {title: links, version: "1"}
paths:
  /me:
    get:
      operationId: getMe
      responses:
        "200":
          description: me
          content:
            application/json:
              schema: {type: object}
          links:
            account:
              operationId: getAccount
              parameters: {accountNo: "$response.body#/account/number"}
  /accounts/{accountNo}:
    get:
      operationId: getAccount
      parameters:
        - {name: accountNo, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
  /orders:
    post:
      operationId: createOrder
      responses:
        "201": {description: created}
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`

// TestDiscoveryPassesTheSafetyGuard: discovery's requests to a host outside
// the allow-list given with WithSafety are refused before any is sent
// (192.0.2.1 is TEST-NET-1, never contacted).
func TestDiscoveryPassesTheSafetyGuard(t *testing.T) {
	op := byID(t, petstoreDoc(t), "deletePet")
	guard := contract.WithSafety(loadrunner.Safety{AllowHosts: []string{"api.example.com"}})
	_, err := op.Discover(context.Background(), "http://192.0.2.1:8080/api", guard)
	if !errors.Is(err, loadrunner.ErrTargetRefused) || !strings.Contains(err.Error(), "192.0.2.1:8080 is not in the allow-list") {
		t.Fatalf("discovery at a host outside the allow-list: %v", err)
	}
}

// TestDiscoverEachFeedsAMix: the options DiscoverEach returns give every
// operation of a mix the values its own discovery learned (from an empty
// store: the first creates pets, the next lists them).
func TestDiscoverEachFeedsAMix(t *testing.T) {
	base, ops := emptyStore(t)
	opts, err := contract.DiscoverEach(context.Background(), ops, base, contract.WithSeed(5))
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 1+len(ops) {
		t.Fatalf("%d options, want the seed and one WithLearned per operation (%d)", len(opts), 1+len(ops))
	}
	_, prepared, err := contract.Mix(ops, base, nil, contract.LoadSpec{}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	learnedFor := 0
	for _, p := range prepared {
		for _, s := range p.Pool.Sources {
			for from := range s.From {
				if strings.HasPrefix(from, "learned from ") {
					learnedFor++
				}
			}
		}
	}
	if learnedFor != 2 { // findPetByID and deletePet
		t.Errorf("%d operations use learned ids, want 2 (findPetByID, deletePet)", learnedFor)
	}
}

// emptyStore starts an empty pet store under /api and returns its base URL
// and the petstore document's operations.
func emptyStore(t *testing.T) (string, []*contract.Operation) {
	t.Helper()
	srv := httptest.NewServer(petstore.New().Handler("/api", nil))
	t.Cleanup(srv.Close)
	ops, err := petstoreDoc(t).Operations()
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/api", ops
}
