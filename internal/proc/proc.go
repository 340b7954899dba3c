// Package proc lists the processes running on this host. It is the one place
// gozfs uses github.com/mitchellh/go-ps, so that the dependency stays out of
// public signatures, and it turns go-ps's "nil process, nil error" for a
// missing process into an explicit false.
//
// Tests use it to check that no zfs process outlives the operation that
// started it.
package proc

import (
	"fmt"

	ps "github.com/mitchellh/go-ps"
)

// Process is a snapshot of one running process.
type Process struct {
	// PID and PPID are the process and parent process IDs.
	PID, PPID int
	// Executable is the name of the program, without its directory (on
	// Linux, as the kernel reports it: at most 15 bytes).
	Executable string
}

func fromPS(p ps.Process) Process {
	return Process{PID: p.Pid(), PPID: p.PPid(), Executable: p.Executable()}
}

// List returns every running process.
func List() ([]Process, error) {
	all, err := ps.Processes()
	if err != nil {
		return nil, fmt.Errorf("proc: listing processes: %w", err)
	}
	out := make([]Process, 0, len(all))
	for _, p := range all {
		out = append(out, fromPS(p))
	}
	return out, nil
}

// Named returns the running processes whose executable name is name.
func Named(name string) ([]Process, error) {
	all, err := List()
	if err != nil {
		return nil, err
	}
	var out []Process
	for _, p := range all {
		if p.Executable == name {
			out = append(out, p)
		}
	}
	return out, nil
}

// Find returns the process with the given pid, and false if there is none.
func Find(pid int) (Process, bool, error) {
	p, err := ps.FindProcess(pid)
	if err != nil {
		return Process{}, false, fmt.Errorf("proc: finding process %d: %w", pid, err)
	}
	if p == nil {
		return Process{}, false, nil
	}
	return fromPS(p), true, nil
}

// Descendants returns the processes below pid in the process tree: its
// children, their children, and so on.
func Descendants(pid int) ([]Process, error) {
	all, err := List()
	if err != nil {
		return nil, err
	}
	children := map[int][]Process{}
	for _, p := range all {
		children[p.PPID] = append(children[p.PPID], p)
	}
	var out []Process
	queue := []int{pid}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		for _, c := range children[next] {
			if c.PID == pid {
				continue
			}
			out = append(out, c)
			queue = append(queue, c.PID)
		}
	}
	return out, nil
}
