//go:build linux

package loadrunner

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// harvestPair dials a loopback server that runs serve on its end, and
// returns the client end adopted by a new harvest set.
func harvestPair(t *testing.T, serve func(net.Conn)) (*harvestSet, *harvestConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	hv := newHarvestSet()
	require.NotNil(t, hv)
	t.Cleanup(hv.close)
	hc, ok := hv.adopt(nc).(*harvestConn)
	require.True(t, ok, "a plain TCP connection is adopted")
	t.Cleanup(func() { hc.Close() })
	return hv, hc
}

// harvesting harvests every millisecond until the test ends, as a
// harvested run's dispatcher does while requests are in flight.
func harvesting(t *testing.T, hv *harvestSet) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				hv.harvest(time.Now())
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// answer reads one request line and answers it with a small response.
func answer(c net.Conn) {
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		return
	}
	_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	time.Sleep(time.Second) // hold the connection open while the test reads
}

const request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

func TestHarvestedReadTakesTheKernelsArrivalTime(t *testing.T) {
	// The kernel leaves an occasional segment unstamped (about one in a
	// hundred here); such a read takes the harvest's time, which can only
	// lengthen a latency. Of five exchanges, one must show the stamp.
	const late = 50 * time.Millisecond
	var gaps []time.Duration
	for range 5 {
		hv, hc := harvestPair(t, answer)
		_, err := hc.Write([]byte(request))
		require.NoError(t, err)
		// Wait until the response is there, then harvest it late.
		for i := 0; i < 10000 && hv.harvest(time.Now()) == 0; i++ {
			time.Sleep(100 * time.Microsecond)
		}
		time.Sleep(late)
		readAt := time.Now()
		buf := make([]byte, 256)
		n, err := hc.Read(buf)
		require.NoError(t, err)
		require.Contains(t, string(buf[:n]), "200 OK")
		arrived := hc.arrivalTime()
		require.False(t, arrived.Before(hc.written), "it arrived after the request was written")
		if readAt.Sub(arrived) >= late*8/10 {
			return // the response arrived before the late harvest, and the time says so
		}
		gaps = append(gaps, readAt.Sub(arrived))
	}
	t.Fatalf("no read took the kernel's arrival time: read minus arrival %v", gaps)
}

func TestHarvestedReadWithoutAnswerEndsAtItsDeadline(t *testing.T) {
	hv, hc := harvestPair(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	harvesting(t, hv)
	_, err := hc.Write([]byte(request))
	require.NoError(t, err)
	require.NoError(t, hc.SetDeadline(time.Now().Add(50*time.Millisecond)))
	_, err = hc.Read(make([]byte, 64))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())
}

func TestHarvestedReadIsInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name      string
		interrupt func(*harvestConn)
		want      error
	}{
		{"a deadline in the past", func(c *harvestConn) { _ = c.SetDeadline(time.Unix(1, 0)) }, os.ErrDeadlineExceeded},
		{"close", func(c *harvestConn) { _ = c.Close() }, net.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, hc := harvestPair(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
			_, err := hc.Write([]byte(request))
			require.NoError(t, err)
			got := make(chan error, 1)
			go func() {
				_, err := hc.Read(make([]byte, 64))
				got <- err
			}()
			time.Sleep(10 * time.Millisecond) // most likely waiting by now; either way it must end
			tc.interrupt(hc)
			select {
			case err := <-got:
				require.ErrorIs(t, err, tc.want)
			case <-time.After(10 * time.Second):
				t.Fatal("the read was not interrupted")
			}
		})
	}
}

func TestHarvestedReadSeesTheEnd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(net.Conn)
		want  error
	}{
		{"close", func(c net.Conn) { c.Close() }, io.EOF},
		{"reset", func(c net.Conn) { _ = c.(*net.TCPConn).SetLinger(0); c.Close() }, syscall.ECONNRESET},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hv, hc := harvestPair(t, func(c net.Conn) {
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					tc.close(c)
				}
			})
			harvesting(t, hv)
			require.NoError(t, hc.SetDeadline(time.Now().Add(10*time.Second)))
			_, err := hc.Write([]byte(request))
			require.NoError(t, err)
			_, err = hc.Read(make([]byte, 64))
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestHarvestedWriteWaitsOutAFullBuffer(t *testing.T) {
	body := make([]byte, 32<<20) // more than loopback's socket buffers hold
	t.Run("a slow reader", func(t *testing.T) {
		_, hc := harvestPair(t, func(c net.Conn) {
			time.Sleep(20 * time.Millisecond)
			_, _ = io.Copy(io.Discard, c)
		})
		require.NoError(t, hc.SetDeadline(time.Now().Add(30*time.Second)))
		n, err := hc.Write(body)
		require.NoError(t, err)
		require.Equal(t, len(body), n)
	})
	t.Run("no reader, a deadline", func(t *testing.T) {
		_, hc := harvestPair(t, func(c net.Conn) { time.Sleep(5 * time.Second) })
		require.NoError(t, hc.SetDeadline(time.Now().Add(100*time.Millisecond)))
		n, err := hc.Write(body)
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		require.Less(t, n, len(body))
	})
}

func TestHarvestSetAdoptsOnlyPlainTCP(t *testing.T) {
	hv := newHarvestSet()
	require.NotNil(t, hv)
	defer hv.close()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	require.Nil(t, hv.adopt(a))
	var none *harvestSet
	require.Nil(t, none.adopt(a), "a run without a set adopts nothing")
	require.Zero(t, none.harvest(time.Now()))
	none.close()
}

func TestHarvestedRunCountsEveryRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	target := HTTP(srv.URL)
	require.True(t, target.harvestable())
	plan := Plan{Rate: 400, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond}
	res, err := Run(t.Context(), plan, target)
	require.NoError(t, err)
	require.Equal(t, res.Planned, res.Sent+res.Dropped)
	require.Equal(t, res.Sent, res.Requests, "every request handed out was harvested before the run ended")
	require.Zero(t, res.Errors.Total)
	require.Positive(t, res.Latency.Percentile(P50))
	require.False(t, HTTP("https://127.0.0.1:1").harvestable(), "a TLS target is not harvested")
	require.False(t, HTTP(srv.URL, WithHarvestedReads(false)).harvestable(), "nor one that asks its workers to wait")
}

func TestHarvestedDeadline(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name   string
		set    time.Time
		passed bool
	}{
		{"none", time.Time{}, false},
		{"in the past, without a monotonic reading", time.Unix(1, 0), true},
		{"before the base", deadlineBase.Add(-time.Hour), true},
		{"now", now, true},
		{"a moment ago", now.Add(-time.Nanosecond), true},
		{"to come", now.Add(time.Millisecond), false},
		{"far off", now.Add(100 * 365 * 24 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d deadline
			d.set(now.Add(time.Hour)) // replaced by the deadline under test
			d.set(tc.set)
			require.Equal(t, tc.passed, d.passed(now))
		})
	}
}
