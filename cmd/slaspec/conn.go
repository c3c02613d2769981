package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
)

// connFlags say how to connect to the service: TLS trust, a client
// certificate, the HTTP version. attack, contract and capacity share them.
type connFlags struct {
	insecure              bool
	cacert, cert, key, hv string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	c.registerTLS(fs)
	fs.StringVar(&c.hv, "http", string(loadrunner.ProtocolHTTP1), "HTTP version: 1.1 (the lean engine), 2 (HTTP/2 over TLS: every response must come over HTTP/2), h2c (HTTP/2 in clear text, prior knowledge); 2 and h2c use the net/http engine")
}

// registerTLS registers the TLS flags alone (slaspec gen fetches an
// https:// document with them and sends no load).
func (c *connFlags) registerTLS(fs *flag.FlagSet) {
	c.hv = string(loadrunner.ProtocolHTTP1) // without -http, HTTP/1.1
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the service's TLS certificate (said on stderr: anyone on the path can read and change the traffic)")
	fs.StringVar(&c.cacert, "cacert", "", "trust the CA certificates of this PEM `file` (and only them) for the service's TLS certificate")
	fs.StringVar(&c.cert, "cert", "", "client certificate PEM `file` for mutual TLS (with -key)")
	fs.StringVar(&c.key, "key", "", "client private key PEM `file` for mutual TLS (with -cert)")
}

// conn is what the connection flags built: one TLS configuration (nil
// without a TLS flag) for every client of the run, and the protocol.
type conn struct {
	tls   *tls.Config
	proto loadrunner.Protocol
}

// build checks the flags against the URLs they are for (the service's,
// a document's) and builds the connection settings, saying once on stderr
// that -insecure skips verification.
func (c *connFlags) build(stderr io.Writer, cmd string, urls ...string) (conn, error) {
	out := conn{proto: loadrunner.Protocol(c.hv)}
	switch out.proto {
	case loadrunner.ProtocolHTTP1, loadrunner.ProtocolHTTP2, loadrunner.ProtocolH2C:
	default:
		return conn{}, fmt.Errorf("-http %q: want 1.1, 2 or h2c", c.hv)
	}
	if (c.cert == "") != (c.key == "") {
		return conn{}, errors.New("-cert and -key go together: give the client certificate and its private key")
	}
	if c.insecure && c.cacert != "" {
		return conn{}, errors.New("-insecure skips certificate verification, so -cacert would not be used: give one of them")
	}
	if !c.insecure && c.cacert == "" && c.cert == "" {
		return out, nil
	}
	if plain := withoutTLS(urls); plain != "" {
		return conn{}, fmt.Errorf("%s is for https:// and %s is plain http://: -insecure, -cacert, -cert and -key apply to TLS only", c.tlsFlag(), plain)
	}
	out.tls = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.insecure}
	if c.insecure {
		fmt.Fprintf(stderr, "%s: WARNING: -insecure: the service's TLS certificate is NOT verified; anyone on the network path can read and change this traffic\n", cmd)
	}
	if c.cacert != "" {
		pool, err := certPool(c.cacert)
		if err != nil {
			return conn{}, fmt.Errorf("-cacert: %w", err)
		}
		out.tls.RootCAs = pool
	}
	if c.cert != "" {
		pair, err := tls.LoadX509KeyPair(c.cert, c.key)
		if err != nil {
			return conn{}, fmt.Errorf("-cert %s -key %s: %w", c.cert, c.key, err)
		}
		out.tls.Certificates = []tls.Certificate{pair}
	}
	return out, nil
}

// withoutTLS returns the origin of the first http:// URL among urls when
// none is https:// (a document may also be a file), and "" otherwise.
func withoutTLS(urls []string) string {
	plain := ""
	for _, s := range urls {
		u, err := url.Parse(s)
		switch {
		case err != nil:
		case strings.EqualFold(u.Scheme, "https"):
			return ""
		case strings.EqualFold(u.Scheme, "http") && plain == "":
			plain = "http://" + u.Host
		}
	}
	return plain
}

// tlsFlag names the first TLS flag given.
func (c *connFlags) tlsFlag() string {
	switch {
	case c.insecure:
		return "-insecure"
	case c.cacert != "":
		return "-cacert"
	}
	return "-cert"
}

// certPool reads a PEM bundle of CA certificates into a pool of its own.
func certPool(path string) (*x509.CertPool, error) {
	data, err := readBounded(path, 8<<20)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; n++ {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s: PEM block %d is a %s, not a CERTIFICATE", path, n+1, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(cert)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return pool, nil
}

// httpOptions returns the options that give an HTTP target these settings.
func (c conn) httpOptions() []loadrunner.HTTPOption {
	opts := []loadrunner.HTTPOption{loadrunner.WithProtocol(c.proto)}
	if c.tls != nil {
		opts = append(opts, loadrunner.WithTLSConfig(c.tls))
	}
	return opts
}

// fetchClient returns a client with these settings for fetching the
// service's document, nil when the defaults do.
func (c conn) fetchClient() *http.Client {
	if c.tls == nil && c.proto == loadrunner.ProtocolHTTP1 {
		return nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Protocols = c.proto.TransportProtocols()
	if c.tls != nil {
		tr.TLSClientConfig = c.tls.Clone()
	}
	return &http.Client{Transport: tr}
}
