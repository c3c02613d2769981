package pprofsource

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/google/pprof/profile"
)

// decode parses a profile in Go's format (a protobuf, gzip-compressed or
// not), decompressing at most maxSize bytes: a small body may not inflate
// into an unbounded one. Legacy text formats are not accepted.
func decode(data []byte, maxSize int64) (*profile.Profile, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("empty profile")
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decompressing profile: %w", err)
		}
		data, err = io.ReadAll(io.LimitReader(zr, maxSize+1))
		if err != nil {
			return nil, fmt.Errorf("decompressing profile: %w", err)
		}
		if int64(len(data)) > maxSize {
			return nil, fmt.Errorf("profile larger than %d bytes once decompressed", maxSize)
		}
	}
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return nil, fmt.Errorf("parsing profile: %w", err)
	}
	if err := p.CheckValid(); err != nil {
		return nil, fmt.Errorf("malformed profile: %w", err)
	}
	return p, nil
}
