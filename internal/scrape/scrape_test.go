package scrape_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/scrape"
)

func TestSettersRefuseBadValues(t *testing.T) {
	var s scrape.Settings
	for _, c := range []struct {
		err  error
		want string
	}{
		{s.SetClient(nil), "WithHTTPClient(nil)"},
		{s.SetTimeout(0), "WithTimeout(0s): must be positive"},
		{s.SetMaxBody(-1), "WithMaxBody(-1): must be positive"},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
	if s != (scrape.Settings{}) {
		t.Errorf("a refused value was set: %+v", s)
	}
}

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(r.Header.Get("Accept")))
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 100)))
		default:
			http.Error(w, "no such page", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	s := scrape.Settings{Timeout: time.Second, MaxBody: 64}
	at := func(path string) *url.URL {
		u, err := url.Parse(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword("user", "s3cret")
		return u
	}
	cases := []struct {
		path, body, err string
	}{
		{"/ok", "text/plain", ""},
		{"/big", "", "body larger than 64 bytes"},
		{"/missing", "", "status 404 Not Found: no such page"},
	}
	for _, c := range cases {
		body, err := s.Get(context.Background(), at(c.path), "text/plain")
		switch {
		case c.err == "" && (err != nil || string(body) != c.body):
			t.Errorf("%s: %q, %v; want %q", c.path, body, err, c.body)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want it to contain %q", c.path, err, c.err)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%s: error shows the password: %v", c.path, err)
		}
	}
	closed := at("/ok")
	srv.Close()
	if _, err := s.Get(context.Background(), closed, ""); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a refused connection: %v (want an error without the password)", err)
	}
}
