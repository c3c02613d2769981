//go:build !linux

package loadrunner

import (
	"net"
	"time"
)

// harvestSet is Linux's (see harvest_linux.go); elsewhere every worker
// waits for its own responses.
type harvestSet struct{}

func newHarvestSet() *harvestSet { return nil }

func (*harvestSet) close() {}

func (*harvestSet) harvest(time.Time) int { return 0 }

func (*harvestSet) adopt(net.Conn) net.Conn { return nil }

const harvestEvery = time.Millisecond
