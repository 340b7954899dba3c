package proc_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gozfs/gozfs/internal/proc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindSelf(t *testing.T) {
	p, ok, err := proc.Find(os.Getpid())
	require.NoError(t, err, "Find(self) = %v", p)
	require.True(t, ok, "Find(self) = %v", p)
	assert.Equal(t, os.Getpid(), p.PID, "Find(self) = %+v", p)
	assert.Equal(t, os.Getppid(), p.PPID, "Find(self) = %+v", p)
}

func TestFindMissing(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	// The child has been reaped, so its pid is free (until reused).
	p, ok, err := proc.Find(cmd.Process.Pid)
	assert.NoError(t, err, "Find(exited) = %+v", p)
	assert.False(t, ok, "Find(exited) = %+v", p)
}

func TestNamedAndDescendants(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(sleep, "30")
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	defer cmd.Process.Kill()

	named, err := proc.Named(filepath.Base(sleep))
	require.NoError(t, err)
	assert.True(t, contains(named, cmd.Process.Pid), "Named(sleep) = %+v, missing pid %d", named, cmd.Process.Pid)
	desc, err := proc.Descendants(os.Getpid())
	require.NoError(t, err)
	assert.True(t, contains(desc, cmd.Process.Pid), "Descendants(self) = %+v, missing child %d", desc, cmd.Process.Pid)
}

func contains(ps []proc.Process, pid int) bool {
	for _, p := range ps {
		if p.PID == pid {
			return true
		}
	}
	return false
}
