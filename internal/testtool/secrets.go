package testtool

import (
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
)

// The secrets the planted-secret tests put where users put credentials;
// none may appear in any output.
const (
	SecretQuery  = "qry-PLANTED-1" // the URL's ?api_key=
	SecretUser   = "usr-PLANTED-2" // the URL's userinfo password
	SecretHeader = "hdr-PLANTED-3" // an X-Api-Key header
	SecretBearer = "brr-PLANTED-4" // an Authorization: Bearer header
	SecretCustom = "cst-PLANTED-5" // a header named only by the user (CustomHeader)
	SecretScheme = "sch-PLANTED-6" // the secured document's API key (query shop_ref)
)

// CustomHeader is the header that holds SecretCustom: secret only because
// the user names it (-redact, WithSecretNames).
const CustomHeader = "X-Tenant-Ref"

// Secrets returns every planted secret.
func Secrets() []string {
	return []string{SecretQuery, SecretUser, SecretHeader, SecretBearer, SecretCustom, SecretScheme}
}

// SecretURL returns base (http://host:port) with SecretUser as the
// userinfo's password and the path /echo?api_key=SecretQuery.
func SecretURL(base string) string {
	return strings.Replace(base, "://", "://user:"+SecretUser+"@", 1) + "/echo?api_key=" + SecretQuery
}

// SecretDocument returns the path of an OpenAPI document whose one
// operation, GET /echo, takes an API key in the query parameter shop_ref
// or a bearer token, and answers a JSON object {"id": integer} with no
// other property.
func SecretDocument() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "secured.yaml")
}

// SecretService answers GET /echo by echoing everything it was sent into
// the places a report might quote: in turn a content type the document
// does not declare, a JSON property named by the credentials, a 500 whose
// body echoes them, a connection cut before the response (a transport
// error quoting the URL), and a good response.
func SecretService() http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := fmt.Sprintf("%s %v", r.URL, r.Header)
		switch n.Add(1) % 5 {
		case 0:
			w.Header().Set("Content-Type", "text/plain; echo="+strings.ReplaceAll(echo, "\n", " "))
			fmt.Fprintln(w, echo)
		case 1:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":1,%q:%q,%q:1}`, r.Header.Get("Authorization"), r.URL.RawQuery, r.Header.Get(CustomHeader))
		case 2:
			http.Error(w, echo, http.StatusInternalServerError)
		case 3:
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":1}`)
		}
	})
}
