package loadrunner_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

// The secrets TestRunRecordsNoSecret plants, each where a user puts one.
const (
	plantedQuery  = "qs-S3CRET-1"  // ?api_key=
	plantedPass   = "pw-S3CRET-2"  // http://user:pass@
	plantedBearer = "tok-S3CRET-3" // Authorization: Bearer
	plantedHeader = "hd-S3CRET-4"  // a header named with WithSecretNames
	plantedValue  = "val-S3CRET-5" // given with WithSecretValues, sent in the body
	plantedGC     = "gc-S3CRET-6"  // the GC source's ?token=
)

// echoServer answers each request with a body that echoes everything it
// was sent; every third response it cuts the connection instead, so the
// transport error quotes the URL.
func echoServer(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
				return
			}
		}
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "you sent %s %v %s", r.URL, r.Header, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRunRecordsNoSecret plants secrets in a target's URL, userinfo,
// headers and body, has the service echo them and a check quote the echo,
// cuts connections so transport errors quote the URL, and fails a GC
// source and a profile source whose URLs hold a token: the recorded
// result — target, examples, warnings, its JSON — shows none of them.
func TestRunRecordsNoSecret(t *testing.T) {
	srv := echoServer(t)
	base := strings.Replace(srv.URL, "http://", "http://user:"+plantedPass+"@", 1)
	quote := loadrunner.WithCheck(func(_ *http.Response, body []byte) error { return fmt.Errorf("unexpected body %q", body) })
	target := loadrunner.HTTP(base+"/x?api_key="+plantedQuery,
		loadrunner.Request{Method: http.MethodPost, Body: []byte(`{"note":"` + plantedValue + `"}`)},
		loadrunner.WithHeader("Authorization", "Bearer "+plantedBearer),
		loadrunner.WithHeader("X-Tenant-Ref", plantedHeader), loadrunner.WithSecretNames("X-Tenant-Ref"), quote)
	res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 100, Duration: 300 * time.Millisecond}, target,
		loadrunner.WithSecretValues(plantedValue),
		loadrunner.WithGCSource(gcsource.Expvar("http://127.0.0.1:1/debug/vars?token="+plantedGC)),
		loadrunner.WithProfileSource(pprofsource.Remote("http://127.0.0.1:1/debug/pprof/?token="+plantedGC)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{plantedQuery, plantedPass, plantedBearer, plantedHeader, plantedValue, plantedGC} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the result holds %q:\n%s", secret, b)
		}
	}
	if len(res.Errors.Examples) < 2 || res.GC == nil || len(res.GC.Warnings) == 0 || res.Profiles == nil {
		t.Fatalf("the run did not record what the test needs: examples %v, gc %+v", res.Errors.Examples, res.GC)
	}
	for _, want := range []string{"api_key=REDACTED", "REDACTED@127.0.0.1"} {
		if !strings.Contains(res.Target, want) {
			t.Errorf("target %q lacks %q", res.Target, want)
		}
	}
}

func TestTargetErrorsHideTheURLSecrets(t *testing.T) {
	for _, raw := range []string{"http://u:" + plantedPass + "@[::1/x?api_key=" + plantedQuery, "ftp://u:" + plantedPass + "@h/?token=" + plantedQuery} {
		err := loadrunner.HTTP(raw).Validate()
		if err == nil || strings.Contains(err.Error(), plantedPass) || strings.Contains(err.Error(), plantedQuery) {
			t.Errorf("HTTP(%q).Validate() = %v, want an error without the secrets", raw, err)
		}
	}
	err := loadrunner.HTTP("http://127.0.0.1:1", loadrunner.GET("/x%zz?token="+plantedQuery)).Validate()
	if err == nil || strings.Contains(err.Error(), plantedQuery) {
		t.Errorf("a bad request URL: %v, want an error without the secret", err)
	}
}

// TestRunOptionsRedactAnyTarget: a Func target has no redactor of its own;
// the run's WithSecretNames and WithSecretValues still apply, and a
// wrapper that unwraps to an HTTP target gets the HTTP target's.
func TestRunOptionsRedactAnyTarget(t *testing.T) {
	leak := loadrunner.Func(func(context.Context) error {
		return fmt.Errorf("login with %s failed; tenant_ref=%s", plantedValue, plantedHeader)
	})
	plan := loadrunner.Plan{Concurrency: 1, Duration: 50 * time.Millisecond}
	res, err := loadrunner.Run(t.Context(), plan, leak, loadrunner.WithSecretValues(plantedValue), loadrunner.WithSecretNames("tenant_ref"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(res.Errors.Examples)
	if strings.Contains(got, plantedValue) || strings.Contains(got, plantedHeader) || !strings.Contains(got, "tenant_ref=REDACTED") {
		t.Errorf("examples %s, want both secrets redacted", got)
	}
	srv := echoServer(t)
	wrapped := wrapper{loadrunner.HTTP(srv.URL+"/x?sig="+plantedQuery, loadrunner.WithCheck(func(_ *http.Response, body []byte) error {
		return fmt.Errorf("body %s", strings.ReplaceAll(string(body), "sig=", "")) // the value without its name
	}))}
	if res, err = loadrunner.Run(t.Context(), plan, wrapped); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Errors.Examples); strings.Contains(got, plantedQuery) || !strings.Contains(got, "REDACTED") {
		t.Errorf("examples %s, want the wrapped target's secret redacted", got)
	}
}

// wrapper wraps a target the way users do, and says what it wraps.
type wrapper struct{ loadrunner.Target }

func (w wrapper) Unwrap() loadrunner.Target { return w.Target }
