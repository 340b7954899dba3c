//go:build unix

package command

import (
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkSSHStream pipes a stream through a remote cat on a loopback sshd:
// through the SSH runner (ours) and through OpenSSH's ssh client (`ssh host
// cat`, the baseline), both fed and drained by this process. ratio is the
// baseline's time over ours: above 1 the runner is faster than ssh.
func BenchmarkSSHStream(b *testing.B) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		b.Skip("no ssh client for the baseline")
	}
	f := newSSHFixture(b, sshdConfig{})
	opts := f.options()
	opts.Paths = map[string]string{"zfs": "cat"}
	r := newTestSSH(b, opts)
	host, port, err := net.SplitHostPort(f.server.addr)
	require.NoError(b, err)
	const size = 128 << 20
	// The baseline reuses one connection too (ssh's connection sharing), so
	// that both sides measure the stream and not the handshake, and uses the
	// cipher the runner negotiates (AES-GCM; ssh would pick ChaCha20).
	ctl := filepath.Join(f.dir, "ctl")
	sshArgs := func(args ...string) []string {
		return append([]string{"-p", port, "-l", currentUser(b), "-i", f.user.file,
			"-o", "UserKnownHostsFile=" + f.knownHosts, "-o", "StrictHostKeyChecking=yes",
			"-o", "BatchMode=yes", "-o", "IdentityAgent=none", "-o", "Ciphers=aes128-gcm@openssh.com",
			"-o", "ControlMaster=auto", "-o", "ControlPath=" + ctl, "-o", "ControlPersist=120", host}, args...)
	}
	require.NoError(b, exec.Command(sshBin, sshArgs("true")...).Run())
	b.Cleanup(func() { _ = exec.Command(sshBin, sshArgs("-O", "exit")...).Run() })
	require.NoError(b, r.Run(b.Context(), &Cmd{Name: "true"}))

	var ours, base time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := &countWriter{}
		start := time.Now()
		err := r.Run(b.Context(), &Cmd{Name: "zfs", Stdin: &io.LimitedReader{R: junk{}, N: size}, Stdout: out})
		ours += time.Since(start)
		require.NoError(b, err)
		require.EqualValues(b, size, out.n)

		out = &countWriter{}
		cmd := exec.Command(sshBin, sshArgs("cat")...)
		cmd.Stdin = &io.LimitedReader{R: junk{}, N: size}
		cmd.Stdout = out
		start = time.Now()
		err = cmd.Run()
		base += time.Since(start)
		require.NoError(b, err)
		require.EqualValues(b, size, out.n)
	}
	b.ReportMetric(float64(base)/float64(ours), "ratio")
	b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/ours.Seconds(), "ours-MiB/s")
	b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/base.Seconds(), "ssh-MiB/s")
}

// junk is a reader of whatever the buffer holds: a stream that costs nothing
// to produce.
type junk struct{}

func (junk) Read(p []byte) (int, error) { return len(p), nil }

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
