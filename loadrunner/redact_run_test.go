package loadrunner_test

import (
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
// source whose URL holds a token: the recorded result — target, examples,
// warnings, its JSON — shows none of them.
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
		loadrunner.WithGCSource(gcsource.Expvar("http://127.0.0.1:1/debug/vars?token="+plantedGC)))
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
	if len(res.Errors.Examples) < 2 || res.GC == nil || len(res.GC.Warnings) == 0 {
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
