package server

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestBodyIsSixteenBytesOfJSON(t *testing.T) {
	if len(Body) != 16 || !json.Valid([]byte(Body)) {
		t.Fatalf("body %q: %d bytes, valid JSON %t", Body, len(Body), json.Valid([]byte(Body)))
	}
}

func TestHoldFor(t *testing.T) {
	s := New(Freeze{Hold: 500 * time.Millisecond, Cycle: 2 * time.Second})
	tests := []struct {
		name string
		at   time.Duration
		want time.Duration
	}{
		{"start of a freeze waits it all", 0, 500 * time.Millisecond},
		{"inside the freeze waits the rest", 300 * time.Millisecond, 200 * time.Millisecond},
		{"after the freeze does not wait", 500 * time.Millisecond, 0},
		{"next cycle freezes again", 2100 * time.Millisecond, 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.holdFor(s.start.Add(tt.at)); got != tt.want {
				t.Errorf("holdFor(+%s) = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
	if d := New(Freeze{}).holdFor(time.Now()); d != 0 {
		t.Errorf("zero freeze holds %s", d)
	}
}

func TestServeCountsConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Freeze{})
	go func() { _ = s.Serve(ln) }()
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	for i := range 3 {
		c := &http.Client{Transport: &http.Transport{}} // a new connection each
		resp, err := c.Get(base + "/")
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != Body {
			t.Fatalf("body %q, want %q", b, Body)
		}
	}
	if st := s.Stats(); st.Accepted != 3 || st.Peak < 1 {
		t.Fatalf("stats %+v, want 3 accepted", st)
	}
	resp, err := http.Post(base+"/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := s.Stats(); st.Accepted != 0 {
		t.Fatalf("after reset: %+v", st)
	}
}
