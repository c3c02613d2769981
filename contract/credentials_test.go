package contract_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

const securedDoc = `openapi: 3.1.0
info: {title: secured, version: "1"}
security: [{bearerAuth: []}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
    basicAuth: {type: http, scheme: basic}
    tls: {type: mutualTLS}
paths:
  /a:
    get:
      operationId: bearerOnly
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: keyOrBasicWithTLS
      security: [{key: []}, {basicAuth: [], tls: []}]
      responses: {"200": {description: ok}}
  /c:
    get:
      operationId: open
      security: []
      responses: {"200": {description: ok}}
`

// operationsByID loads a document and returns its operations by operationId.
func operationsByID(t *testing.T, document string) map[string]*contract.Operation {
	t.Helper()
	doc, err := contract.LoadBytes([]byte(document))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := doc.Operations()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*contract.Operation{}
	for _, op := range ops {
		byID[op.ID] = op
	}
	return byID
}

func TestCheckCredentials(t *testing.T) {
	byID := operationsByID(t, securedDoc)
	type need = contract.SchemeNeed
	cases := []struct {
		name string
		op   string
		opts []contract.Option
		want [][]need // nil: satisfied
	}{
		{"bearer missing", "bearerOnly", nil, [][]need{{{Name: "bearerAuth", Kind: contract.CredentialBearer}}}},
		{"bearer given", "bearerOnly", []contract.Option{contract.WithBearer("t")}, nil},
		{"alternatives missing", "keyOrBasicWithTLS", []contract.Option{contract.WithBearer("t")},
			[][]need{{{Name: "key", Kind: contract.CredentialAPIKey}}, {{Name: "basicAuth", Kind: contract.CredentialBasic}, {Name: "tls"}}}},
		{"one alternative given", "keyOrBasicWithTLS", []contract.Option{contract.WithAPIKey("k")}, nil},
		{"no security", "open", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := byID[c.op].CheckCredentials(c.opts...)
			var ce *contract.CredentialsError
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Requirements, c.want) {
				t.Fatalf("got %v (%#v), want requirements %v", err, ce, c.want)
			}
			if !strings.Contains(err.Error(), "needs credentials for [") || !strings.Contains(err.Error(), "WithBearer") {
				t.Errorf("message %q", err)
			}
		})
	}
	// Preparing the operation fails the same way, wrapped with the operation.
	_, err := byID["bearerOnly"].Prepare("http://127.0.0.1:1", contract.LoadSpec{}, contract.LoadSpec{})
	var ce *contract.CredentialsError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "needs credentials for [bearerAuth]") {
		t.Errorf("Prepare without credentials: %v", err)
	}
}
