//go:build zfs

package replication_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/zfs"
)

// labSSHD is an OpenSSH server started for one test on a loopback port,
// with throwaway host and user keys; the machine's own sshd is not touched.
type labSSHD struct {
	addr    string
	userKey string // private key file of the user allowed in
	hostKey ssh.PublicKey
	dir     string
	log     string
}

// knownHosts writes a known_hosts file vouching for the server's key at
// addr (the server itself, or a proxy in front of it) and returns its path.
func (s *labSSHD) knownHosts(t *testing.T, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	f := filepath.Join(s.dir, "known_hosts")
	require.NoError(t, os.WriteFile(f, []byte(fmt.Sprintf("[%s]:%s %s", host, port, ssh.MarshalAuthorizedKey(s.hostKey))), 0o600))
	return f
}

func startLabSSHD(t *testing.T) *labSSHD {
	t.Helper()
	bin := "/usr/sbin/sshd"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("sshd not installed (openssh-server)")
	}
	require.NoError(t, os.MkdirAll("/run/sshd", 0o755)) // privilege separation directory
	dir := ztest.Dir(t)
	key := func(name string) (ssh.PublicKey, string) {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		block, err := ssh.MarshalPrivateKey(priv, "")
		require.NoError(t, err)
		file := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(block), 0o600))
		sp, err := ssh.NewPublicKey(pub)
		require.NoError(t, err)
		return sp, file
	}
	hostPub, hostKey := key("host_ed25519")
	userPub, userKey := key("user_ed25519")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(userPub), 0o600))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &labSSHD{addr: fmt.Sprintf("127.0.0.1:%d", port), userKey: userKey, hostKey: hostPub,
		dir: dir, log: filepath.Join(dir, "sshd.log")}
	conf := filepath.Join(dir, "sshd_config")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s/sshd.pid
AuthorizedKeysFile %s/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 20
`, port, hostKey, dir, dir)), 0o600))
	out, err := exec.Command(bin, "-t", "-f", conf).CombinedOutput()
	require.NoError(t, err, "sshd -t: %s", out)
	cmd := exec.Command(bin, "-D", "-f", conf, "-E", s.log)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(s.log)
			t.Logf("sshd log:\n%s", b)
		}
	})
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, time.Minute, 100*time.Millisecond, "sshd did not start")
	return s
}

// cutProxy forwards TCP connections to target and, once, drops them all
// after a number of bytes went through towards the target.
type cutProxy struct {
	ln     net.Listener
	target string
	after  int64
	sent   atomic.Int64
	cut    atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newCutProxy(t *testing.T, target string, after int64) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{ln: ln, target: target, after: after}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.drop()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(s, c, true)
		go p.pipe(c, s, false)
	}
}

func (p *cutProxy) pipe(dst, src net.Conn, count bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if count && p.sent.Add(int64(n)) > p.after && !p.cut.Swap(true) {
				p.drop()
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (p *cutProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestIntegrationOverSSH replicates a tree to a second pool through the SSH
// runner against a real sshd, and survives the SSH connection being cut in
// the middle of a stream: the step resumes from the target's token over a
// new connection.
func TestIntegrationOverSSH(t *testing.T) {
	l := newLab(t)
	src, dst := l.src.Name+"/data", l.dst.Name+"/backup"
	l.tree(src, 1, 3)
	l.write(src+"/a", 8<<20)
	l.zfs("snapshot", "-r", src+"@big")
	sshd := startLabSSHD(t)
	proxy := newCutProxy(t, sshd.addr, 4<<20)
	ctx := labCtx(t)
	runner, err := command.NewSSH(ctx, command.SSHOptions{
		Host: proxy.ln.Addr().String(), User: "root",
		KeyFiles: []string{sshd.userKey}, KnownHostsFiles: []string{sshd.knownHosts(t, proxy.ln.Addr().String())},
		AgentSocket: "none", Paths: map[string]string{"zfs": "/usr/sbin/zfs"},
	})
	require.NoError(t, err)
	defer runner.Close()
	remote := zfs.New(zfs.ClientOptions{Runner: runner})
	p, err := replication.NewPlan(ctx, replication.Endpoint{Client: l.c, Dataset: src},
		replication.Endpoint{Client: remote, Dataset: dst}, replication.PlanOptions{Recursive: true})
	require.NoError(t, err)
	t.Logf("plan:\n%+v", p)
	res, err := replication.Run(ctx, p, replication.RunOptions{Receive: recv.Options{NoMount: true}})
	require.NoError(t, err, "%v", res)
	t.Logf("result:\n%v", res)
	assert.True(t, proxy.cut.Load(), "the connection was cut")
	var resumed []string
	for _, d := range res.Datasets {
		resumed = append(resumed, d.Resumed...)
	}
	assert.Equal(t, []string{src + "/a@big"}, resumed)
	l.sameSnapshots(src, dst)
	l.noHolds(src)

	// A second plan through the same runner finds everything up to date.
	p, err = replication.NewPlan(ctx, replication.Endpoint{Client: l.c, Dataset: src},
		replication.Endpoint{Client: remote, Dataset: dst}, replication.PlanOptions{Recursive: true})
	require.NoError(t, err)
	for _, dp := range p.Datasets {
		assert.Equal(t, replication.UpToDate, dp.Action, dp.Target)
	}
}
