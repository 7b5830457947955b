//go:build !unix

package benchkit

import "time"

// cpuTime is not measured here: the cpu metrics are then not reported.
func cpuTime() time.Duration { return 0 }
