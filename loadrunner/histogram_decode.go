package loadrunner

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
)

// checkEncodedGeometry reads only the header of a V2 compressed histogram and
// rejects any geometry other than slaspec's before the decoder allocates a
// counts array sized by that header: a hostile header could otherwise ask
// for tens of megabytes per histogram.
func checkEncodedGeometry(b []byte) error {
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(raw, b)
	if err != nil {
		return fmt.Errorf("loadrunner: decode histogram: %w", err)
	}
	raw = raw[:n]
	if len(raw) < 8 {
		return fmt.Errorf("loadrunner: decode histogram: %d bytes is shorter than the 8 byte header", len(raw))
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		return fmt.Errorf("loadrunner: decode histogram: %w", err)
	}
	defer z.Close()
	var hdr [40]byte
	if _, err := io.ReadFull(z, hdr[:]); err != nil {
		return fmt.Errorf("loadrunner: decode histogram header: %w", err)
	}
	digits := int32(binary.BigEndian.Uint32(hdr[12:16]))
	lowest := int64(binary.BigEndian.Uint64(hdr[16:24]))
	highest := int64(binary.BigEndian.Uint64(hdr[24:32]))
	if lowest != histLowest || highest != histHighest || digits != histDigits {
		return fmt.Errorf("loadrunner: decode histogram: geometry %d..%d/%d digits, want %d..%d/%d",
			lowest, highest, digits, histLowest, histHighest, histDigits)
	}
	return nil
}
