package loadrunner

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseShard parses "i/n" (0 ≤ i < n), the shard of one of n workers that
// together apply a plan (SLASPEC_SHARD, slaspec attack -shard).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("loadrunner: shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}
