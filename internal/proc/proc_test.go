package proc_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gozfs/gozfs/internal/proc"
)

func TestFindSelf(t *testing.T) {
	p, ok, err := proc.Find(os.Getpid())
	if err != nil || !ok {
		t.Fatalf("Find(self) = %v, %v, %v", p, ok, err)
	}
	if p.PID != os.Getpid() || p.PPID != os.Getppid() {
		t.Errorf("Find(self) = %+v", p)
	}
}

func TestFindMissing(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	// The child has been reaped, so its pid is free (until reused).
	p, ok, err := proc.Find(cmd.Process.Pid)
	if err != nil || ok {
		t.Errorf("Find(exited) = %+v, %v, %v; want not found", p, ok, err)
	}
}

func TestNamedAndDescendants(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(sleep, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()

	named, err := proc.Named(filepath.Base(sleep))
	if err != nil {
		t.Fatal(err)
	}
	if !contains(named, cmd.Process.Pid) {
		t.Errorf("Named(sleep) = %+v, missing pid %d", named, cmd.Process.Pid)
	}
	desc, err := proc.Descendants(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !contains(desc, cmd.Process.Pid) {
		t.Errorf("Descendants(self) = %+v, missing child %d", desc, cmd.Process.Pid)
	}
}

func contains(ps []proc.Process, pid int) bool {
	for _, p := range ps {
		if p.PID == pid {
			return true
		}
	}
	return false
}
