//go:build unix && !linux

package command

import (
	"os"
	"syscall"
)

func setPdeathsig(*syscall.SysProcAttr) {}

func enlargePipe(*os.File) {}
