//go:build unix && !linux

package command

import "syscall"

func setPdeathsig(*syscall.SysProcAttr) {}
