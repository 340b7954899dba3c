//go:build !unix

package retention

import "time"

// processCPU is not measured here; the CPU metrics then read 0 or NaN.
func processCPU() time.Duration { return 0 }
