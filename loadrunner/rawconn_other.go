//go:build !linux

package loadrunner

import "net"

// fastConn returns nc: raw system calls are used on Linux only.
func fastConn(nc net.Conn) net.Conn { return nc }
