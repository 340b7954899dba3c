package proc_test

import (
	"fmt"
	"os"

	"github.com/gozfs/gozfs/internal/proc"
)

// Check that a command left no zfs process behind.
func ExampleNamed() {
	left, err := proc.Named("zfs")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range left {
		fmt.Fprintf(os.Stderr, "zfs still running: pid %d\n", p.PID)
	}
}
