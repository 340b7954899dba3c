//go:build unix

package command

import (
	"os"
	"os/exec"
	"syscall"
)

var killSignal = syscall.SIGKILL

func stopSignal(interrupt bool) syscall.Signal {
	if interrupt {
		return syscall.SIGINT
	}
	return syscall.SIGTERM
}

// signalGroup sends sig to the process group led by p.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if p == nil {
		return
	}
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		_ = p.Signal(sig)
	}
}

func setProcAttr(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setPdeathsig(cmd.SysProcAttr)
}
