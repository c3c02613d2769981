package contract_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
)

// TestCredentialsNeverRecorded loads an operation behind an API key (a
// query parameter the document's security scheme names) against a service
// that echoes every credential into its content type, the names of JSON
// properties and error bodies: the findings and the result show none of
// the credentials, and say REDACTED where the echo was.
func TestCredentialsNeverRecorded(t *testing.T) {
	srv := httptest.NewServer(testtool.SecretService())
	t.Cleanup(srv.Close)
	op := securedOperation(t)
	base := strings.TrimSuffix(testtool.SecretURL(srv.URL), "/echo?api_key="+testtool.SecretQuery)
	p, err := op.Prepare(base, contract.LoadSpec{}, contract.LoadSpec{}, contract.WithAPIKey(testtool.SecretScheme),
		contract.WithHeader(testtool.CustomHeader, testtool.SecretCustom),
		contract.WithHTTPOptions(loadrunner.WithSecretNames(testtool.CustomHeader)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := p.Run(ctx, loadrunner.Plan{Rate: 100, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		Result   *loadrunner.Result
		Findings []contract.Finding
	}{out.Result, out.Findings})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range testtool.Secrets() {
		if strings.Contains(string(b), secret) {
			t.Errorf("the outcome holds %q:\n%s", secret, b)
		}
	}
	if len(out.Findings) < 2 || !strings.Contains(string(b), "shop_ref=REDACTED") {
		t.Errorf("the echoes were not recorded (redacted): %s", b)
	}
}

// TestPoolErrorsHideCredentials: a credential that makes a request invalid
// is not quoted by the error that says so.
func TestPoolErrorsHideCredentials(t *testing.T) {
	op := securedOperation(t)
	_, err := op.Pool(contract.WithAPIKey(testtool.SecretScheme), contract.WithRequestHook(func(r *loadrunner.Request) error {
		return fmt.Errorf("hook refuses %s", r.URL)
	}))
	if err == nil || strings.Contains(err.Error(), testtool.SecretScheme) || !strings.Contains(err.Error(), "shop_ref=REDACTED") {
		t.Errorf("Pool error %v, want it without the API key", err)
	}
}

// TestPinnedSecretsNotInSources: a value pinned for a parameter with a
// secret name is not shown where the pool says where its values came from.
func TestPinnedSecretsNotInSources(t *testing.T) {
	p, err := securedOperation(t).Pool(contract.WithAPIKey(testtool.SecretScheme), contract.WithParam("query", "session", testtool.SecretCustom))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p.Sources)
	if strings.Contains(string(b), testtool.SecretCustom) || !strings.Contains(string(b), `"values":["REDACTED"]`) {
		t.Errorf("sources %s, want the pinned session redacted", b)
	}
}

// securedOperation returns the one operation of testtool.SecretDocument.
func securedOperation(t *testing.T) *contract.Operation {
	t.Helper()
	doc, err := contract.Load(testtool.SecretDocument())
	if err != nil {
		t.Fatal(err)
	}
	ops, err := doc.Operations()
	if err != nil {
		t.Fatal(err)
	}
	return ops[0]
}
