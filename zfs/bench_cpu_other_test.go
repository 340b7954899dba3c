//go:build !unix

package zfs

import "time"

// processCPU is not measured here; cpu-ratio then reads NaN.
func processCPU() time.Duration { return 0 }
