//go:build !unix

package loadrunner

import "time"

// processCPU returns 0 where getrusage is missing: the generator's CPU is
// then not known, and never flags a run.
func processCPU() time.Duration { return 0 }
