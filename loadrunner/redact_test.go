package loadrunner_test

import (
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
)

func TestRedactorString(t *testing.T) {
	red := loadrunner.NewRedactor([]string{"X-Customer-Ref"}, []string{"v4lue-given", "sh0rt", "abc", "p@ss w0rd!"})
	tests := []struct {
		name   string
		in     string
		secret string // must be gone
		keep   string // must stay
	}{
		{"authorization header", "check failed: Authorization: Bearer abc.def-123", "abc.def-123", "Authorization: REDACTED"},
		{"proxy authorization", "Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Proxy-Authorization: REDACTED"},
		{"lower-case header at line start", "authorization: token-value-1", "token-value-1", "authorization: REDACTED"},
		{"cookie header", "Cookie: session=s1; theme=dark", "s1; theme=dark", "Cookie: REDACTED"},
		{"set-cookie header", `got "Set-Cookie: sid=xyz789"`, "xyz789", `"Set-Cookie: REDACTED"`},
		{"api key header", "X-API-Key: key-42", "key-42", "X-API-Key: REDACTED"},
		{"custom token header", "X-Auth-Token: tok-77", "tok-77", "X-Auth-Token: REDACTED"},
		{"header map", "map[Authorization:[Bearer zz-top] Accept:[*/*]]", "zz-top", "Authorization:REDACTED"},
		{"api_key query", "GET /orders?id=1&api_key=k-1&x=2", "k-1", "id=1&api_key=REDACTED&x=2"},
		{"apikey query", "/v1?apikey=k-2", "k-2", "apikey=REDACTED"},
		{"api-key form", "api-key=k-3 rejected", "k-3", "api-key=REDACTED rejected"},
		{"camel-case name", "apiKey=k-4", "k-4", "apiKey=REDACTED"},
		{"access_token query", "/cb?access_token=at-1", "at-1", "access_token=REDACTED"},
		{"sig and signature", "/s?sig=s-1&Signature=s-2", "s-", "sig=REDACTED&Signature=REDACTED"},
		{"password field", "password=hunter2,", "hunter2", "password=REDACTED,"},
		{"json token", `{"token": "tk-\"quoted\"", "id": 1}`, "tk-", `"token": "REDACTED", "id": 1`},
		{"json api key", `{"apiKey":"ak-9"}`, "ak-9", `"apiKey":"REDACTED"`},
		{"go-quoted json", `body "{\"access_token\":\"at-9\",\"n\":1}"`, "at-9", `\"access_token\":\"REDACTED\",\"n\":1`},
		{"bare bearer", "sent bearer eyJhbGciOi.x.y upstream", "eyJhbGciOi", "bearer REDACTED upstream"},
		{"bare basic", "Basic dXNlcjpwYXNz sent", "dXNlcjpwYXNz", "Basic REDACTED sent"},
		{"url userinfo", "http://user:pa55@127.0.0.1:8080/x", "pa55", "http://REDACTED@127.0.0.1:8080/x"},
		{"url user only", `Get "https://tok3n@example.com/"`, "tok3n", "https://REDACTED@example.com/"},
		{"added name", "x_customer_ref=c-1", "c-1", "x_customer_ref=REDACTED"},
		{"added name as header", "X-Customer-Ref: c-2", "c-2", "X-Customer-Ref: REDACTED"},
		{"given value anywhere", "echo v4lue-given back", "v4lue-given", "echo REDACTED back"},
		{"given value query-escaped", "/x?q=p%40ss+w0rd%21&n=1", "w0rd", "q=REDACTED&n=1"},
		{"given value go-quoted", `"body \"p@ss w0rd!\""`, "w0rd", `\"REDACTED\"`},
		{"short given value in text", "abc stays", "", "abc stays"},
		{"given value of five", "echo sh0rt", "sh0rt", "echo REDACTED"},
		{"no secret", "GET /orders/42: status 500", "", "GET /orders/42: status 500"},
		{"path ending in token", "POST /oauth/token: status 500", "", "POST /oauth/token: status 500"},
		{"ordinary words", "the bearer token expired; basic auth refused", "", "the bearer token expired; basic auth refused"},
		{"budget text", "p99<150ms, errors<0.1%", "", "p99<150ms, errors<0.1%"},
		{"host and port", "dial tcp 127.0.0.1:8080: connect: connection refused", "", "dial tcp 127.0.0.1:8080: connect: connection refused"},
		{"monkey is no key", "monkey=banana", "", "monkey=banana"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := red.String(tt.in)
			if tt.secret != "" && strings.Contains(got, tt.secret) {
				t.Errorf("String(%q) = %q, still holds %q", tt.in, got, tt.secret)
			}
			if !strings.Contains(got, tt.keep) {
				t.Errorf("String(%q) = %q, want it to hold %q", tt.in, got, tt.keep)
			}
			if again := red.String(got); again != got {
				t.Errorf("String is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestRedactorURL(t *testing.T) {
	red := loadrunner.NewRedactor([]string{"tenant"}, nil)
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080/x?api_key=SECRET123&id=7", "http://127.0.0.1:8080/x?api_key=REDACTED&id=7"},
		{"http://u:p4ss@127.0.0.1/x", "http://REDACTED@127.0.0.1/x"},
		{"http://127.0.0.1/x?a=1,2&token=t,u", "http://127.0.0.1/x?a=1,2&token=REDACTED"},
		{"http://127.0.0.1/x?Tenant=acme&API-KEY=k", "http://127.0.0.1/x?Tenant=REDACTED&API-KEY=REDACTED"},
		{"http://127.0.0.1/x?q=plain", "http://127.0.0.1/x?q=plain"},
		{"http://[::1/x?token=abcd", "http://[::1/x?token=REDACTED"},
	}
	for _, tt := range tests {
		if got := red.URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactorNames(t *testing.T) {
	var red *loadrunner.Redactor // the zero redactor knows the built-in names
	for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "api_key", "API-KEY", "apiKey",
		"X-API-Key", "key", "token", "refresh_token", "access_token", "ID-Token", "secret", "client_secret", "password",
		"passwd", "sig", "signature", "session", "SessionId", "auth", "X-Auth"} {
		if !red.IsSecretName(name) {
			t.Errorf("%q is not a secret name", name)
		}
	}
	for _, name := range []string{"Content-Type", "id", "monkey", "author", "oauth_state", "keyboard", "tokens_used", "q"} {
		if red.IsSecretName(name) {
			t.Errorf("%q is a secret name", name)
		}
	}
	if !red.With([]string{"X-Tenant"}, nil).IsSecretName("x_tenant") || red.IsSecretName("x-tenant") {
		t.Errorf("an added name is not secret, or the nil redactor changed")
	}
	merged := loadrunner.NewRedactor([]string{"a-b"}, nil).Merge(loadrunner.NewRedactor([]string{"c-d"}, []string{"s3cret"}))
	if !merged.IsSecretName("AB") || !merged.IsSecretName("cD") || merged.String("x s3cret") != "x REDACTED" {
		t.Errorf("Merge lost a name or a value")
	}
}
