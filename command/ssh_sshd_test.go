//go:build unix

package command

// A real OpenSSH server for the SSH runner's tests: each test starts its own
// sshd on a free loopback port with throwaway host and user keys and its own
// sshd_config, all in t.TempDir(). The machine's own sshd is not touched.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshdPath finds sshd, or skips the test (fails it under GOZFS_REQUIRE_SSHD=1,
// which `make test` sets after installing openssh-server).
func sshdPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/sshd", "/usr/local/sbin/sshd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("sshd"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	msg := "sshd not found: install openssh-server (make test-deps) to run the SSH runner's tests"
	if os.Getenv("GOZFS_REQUIRE_SSHD") == "1" {
		require.Fail(t, msg+" (GOZFS_REQUIRE_SSHD=1)")
	}
	t.Skip(msg)
	return ""
}

// sshKeyPair is a generated key with its private key file.
type sshKeyPair struct {
	signer ssh.Signer
	file   string
}

func newKey(t testing.TB, dir, name, kind string) sshKeyPair {
	t.Helper()
	var priv any
	switch kind {
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		priv = k
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		priv = k
	default:
		require.Fail(t, fmt.Sprintf("key kind %q", kind))
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	file := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(block), 0o600))
	signer, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	return sshKeyPair{signer: signer, file: file}
}

// sshd is a running OpenSSH server.
type sshd struct {
	addr     string // 127.0.0.1:port
	hostKeys []sshKeyPair
	log      string
	cmd      *exec.Cmd
}

// sshdConfig chooses what startSSHD sets up.
type sshdConfig struct {
	hostKeyKinds []string        // default ed25519
	authorized   []ssh.PublicKey // keys allowed to log in as the current user
	extra        string          // more sshd_config lines
}

// startSSHD starts sshd in the foreground on a free loopback port and waits
// until it answers. It is stopped when the test ends.
func startSSHD(t testing.TB, cfg sshdConfig) *sshd {
	t.Helper()
	bin := sshdPath(t)
	if os.Geteuid() == 0 {
		// sshd needs its privilege separation directory, which the Debian
		// service creates when it starts; it is empty and harmless.
		require.NoError(t, os.MkdirAll("/run/sshd", 0o755))
	}
	dir := t.TempDir()
	s := &sshd{log: filepath.Join(dir, "sshd.log")}
	kinds := cfg.hostKeyKinds
	if len(kinds) == 0 {
		kinds = []string{"ed25519"}
	}
	var conf strings.Builder
	for i, k := range kinds {
		hk := newKey(t, dir, fmt.Sprintf("host_%d_%s", i, k), k)
		s.hostKeys = append(s.hostKeys, hk)
		fmt.Fprintf(&conf, "HostKey %s\n", hk.file)
	}
	var auth strings.Builder
	for _, k := range cfg.authorized {
		auth.Write(ssh.MarshalAuthorizedKey(k))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(auth.String()), 0o600))
	fmt.Fprintf(&conf, `ListenAddress 127.0.0.1
PidFile %[1]s/sshd.pid
AuthorizedKeysFile %[1]s/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
MaxStartups 100
LogLevel VERBOSE
%[2]s
`, dir, cfg.extra)

	for attempt := 0; ; attempt++ {
		port := freePort(t)
		config := filepath.Join(dir, "sshd_config")
		require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf("Port %d\n%s", port, conf.String())), 0o600))
		// The configuration must be valid; -t says why if not.
		out, err := exec.Command(bin, "-t", "-f", config).CombinedOutput()
		require.NoError(t, err, "sshd -t: %s", out)
		cmd := exec.Command(bin, "-D", "-f", config, "-E", s.log)
		setProcAttr(cmd)
		require.NoError(t, cmd.Start())
		s.cmd = cmd
		s.addr = fmt.Sprintf("127.0.0.1:%d", port)
		if err := waitBanner(s.addr, cmd); err == nil {
			break
		} else if attempt == 3 {
			log, _ := os.ReadFile(s.log)
			require.Fail(t, fmt.Sprintf("sshd did not start: %v\n%s", err, log))
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	t.Cleanup(func() {
		signalGroup(s.cmd.Process, killSignal)
		_ = s.cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(s.log)
			t.Logf("sshd log:\n%s", log)
		}
	})
	return s
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitBanner waits until addr answers with an SSH banner.
func waitBanner(addr string, cmd *exec.Cmd) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && strings.HasPrefix(line, "SSH-2.0-") {
				return nil
			}
			err = fmt.Errorf("banner %q: %v", line, rerr)
		}
		if time.Now().After(deadline) {
			return err
		}
		if cmd.ProcessState != nil {
			return fmt.Errorf("sshd exited: %v", cmd.ProcessState)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// knownHostsLine is the known_hosts line for addr with key.
func knownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
}

// sshFixture is a server, a user key it accepts and a known_hosts file that
// holds its host keys: what most tests need.
type sshFixture struct {
	dir        string
	server     *sshd
	user       sshKeyPair
	knownHosts string
}

func newSSHFixture(t testing.TB, cfg sshdConfig) *sshFixture {
	t.Helper()
	sshdPath(t)
	dir := t.TempDir()
	f := &sshFixture{dir: dir, user: newKey(t, dir, "id_ed25519", "ed25519")}
	cfg.authorized = append(cfg.authorized, f.user.signer.PublicKey())
	f.server = startSSHD(t, cfg)
	var kh strings.Builder
	for _, k := range f.server.hostKeys {
		kh.WriteString(knownHostsLine(f.server.addr, k.signer.PublicKey()))
	}
	f.knownHosts = filepath.Join(dir, "known_hosts")
	require.NoError(t, os.WriteFile(f.knownHosts, []byte(kh.String()), 0o600))
	return f
}

// options are the runner options to reach the fixture's server.
func (f *sshFixture) options() SSHOptions {
	return SSHOptions{
		Host:            f.server.addr,
		KeyFiles:        []string{f.user.file},
		AgentSocket:     "none",
		KnownHostsFiles: []string{f.knownHosts},
		GracePeriod:     2 * time.Second,
	}
}

// runner connects with opts and closes the runner when the test ends.
func newTestSSH(t testing.TB, opts SSHOptions) *SSH {
	t.Helper()
	r, err := NewSSH(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

// script writes an executable /bin/sh script and returns its path.
func script(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755))
	return p
}

// currentUser is the local user name, which the tests log in as.
func currentUser(t testing.TB) string {
	u, err := user.Current()
	require.NoError(t, err)
	return u.Username
}

// tcpProxy forwards connections to a target; the tests cut or freeze it to
// simulate a network failure.
type tcpProxy struct {
	ln     net.Listener
	target string
	gate   sync.RWMutex // write-locked while frozen
	mu     sync.Mutex
	conns  []net.Conn
	count  int
	wg     sync.WaitGroup
}

func newProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.count++
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, u)
		go p.pipe(u, c)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.gate.RLock()
			_, werr := dst.Write(buf[:n])
			p.gate.RUnlock()
			if werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// connections is how many connections the proxy accepted.
func (p *tcpProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// cut closes every connection open through the proxy, as a network failure
// or a crashed server would; new connections are still forwarded.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// freeze stops forwarding without closing anything, as a network that went
// silent; thaw undoes it.
func (p *tcpProxy) freeze() { p.gate.Lock() }
func (p *tcpProxy) thaw()   { p.gate.Unlock() }

func (p *tcpProxy) close() {
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}

var _ io.Closer = (*SSH)(nil)
