//go:build unix

package command

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// recorderBody is a /bin/sh script body that prints its argument count,
// LC_ALL and each argument, NUL-terminated: what a remote program received.
const recorderBody = `printf '%s\0' "$#" "$LC_ALL" "$@"` + "\n"

// parseRecord splits a recorder's output into LC_ALL and the arguments.
func parseRecord(t *testing.T, out string) (lcAll string, args []string) {
	t.Helper()
	fields := strings.Split(out, "\x00")
	require.GreaterOrEqual(t, len(fields), 3, "recorder output %q", out)
	require.Equal(t, "", fields[len(fields)-1], "recorder output %q not NUL-terminated", out)
	fields = fields[:len(fields)-1]
	n, err := strconv.Atoi(fields[0])
	require.NoError(t, err)
	require.Len(t, fields[2:], n, "recorder output %q", out)
	return fields[1], fields[2:]
}

// hostileArgs are arguments a remote shell must never interpret: names the
// internal/names rules reject (they must not inject even if they reach a
// runner), option-like words, and accepted names and property values with
// spaces, quotes, $(), backticks and newlines. canary is a file that exists
// only if one of them ran a command.
func hostileArgs(canary string) []string {
	return []string{
		"tank/a; touch " + canary,
		"tank/$(touch " + canary + ")",
		"tank/`touch " + canary + "`",
		"tank/a && touch " + canary,
		"tank/a || touch " + canary,
		"tank/a | touch " + canary,
		"tank/a\ntouch " + canary,
		"tank/a\rtouch " + canary,
		"tank/a > " + canary,
		"tank/a < /etc/passwd",
		"tank/a'; touch " + canary + "; '",
		`tank/a"; touch ` + canary + `; "`,
		`tank/a\'; touch ` + canary + `; \'`,
		"'", "''", `'\''`, `"`, `\`, `\\`, "\\\n",
		"-o", "--", "-rf", "--help", "-", "-o mountpoint=/",
		"tank/*", "tank/?", "tank/[a-z]", "~root", "~", "$HOME", "${IFS}", "$0", "$$", "$@", "$*", "$#", "$((1+1))",
		"!", "!!", "#comment", "a #b", "{a,b}", "%s", "%n", "&", ";", "|", "(", ")", "<(id)",
		"", " ", "  two  spaces  ", "\t", "\n", "\n\n",
		"tank/a b", "tank/a@snap with space", "tank/a#mark", "tank/-x",
		"comment=it's \"quoted\" $(id) `id` ; & | < > \\ \n second line",
		"user:note=$(touch " + canary + ")",
		"tank/é", "tank/\xff\xfe", "\x01\x02\x1b[31m",
		strings.Repeat("x'", 500),
	}
}

// TestRemoteCommandLocalShells runs the remote command line through the local
// /bin/sh (and bash, if installed), the shells sshd would use: the program
// receives exactly the argv, and nothing is executed.
func TestRemoteCommandLocalShells(t *testing.T) {
	dir := t.TempDir()
	rec := script(t, dir, "rec", recorderBody)
	canary := filepath.Join(dir, "canary")
	args := hostileArgs(canary)
	shells := []string{"/bin/sh"}
	if p, err := exec.LookPath("bash"); err == nil {
		shells = append(shells, p)
	}
	for _, sh := range shells {
		line, err := remoteCommand([]string{"GOZFS_X=a'b $(touch " + canary + ")"}, append([]string{rec}, args...))
		require.NoError(t, err)
		out, err := exec.Command(sh, "-c", line).Output()
		require.NoError(t, err, sh)
		lc, got := parseRecord(t, string(out))
		assert.Equal(t, "C", lc, sh)
		assert.Equal(t, args, got, sh)
		assert.NoFileExists(t, canary, sh)
	}
}

func TestRemoteCommandRefuses(t *testing.T) {
	_, err := remoteCommand(nil, []string{"zfs", "a\x00b"})
	require.ErrorContains(t, err, "NUL")
	for _, kv := range []string{"NOEQUALS", "=x", "1A=x", "A-B=x", "A B=x", "A;B=x", "$(x)=y"} {
		_, err := remoteCommand([]string{kv}, []string{"zfs"})
		require.Error(t, err, kv)
	}
	line, err := remoteCommand([]string{"_A1=x y"}, []string{"zfs", "list"})
	require.NoError(t, err)
	assert.Equal(t, `echo "gozfs-ssh-pid $$" >&2; export '_A1=x y' LC_ALL=C; exec 'zfs' 'list'`, line)
}

func FuzzShellQuote(f *testing.F) {
	for _, s := range hostileArgs("/nonexistent/canary") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return
		}
		out, err := exec.Command("/bin/sh", "-c", "printf '%s' "+shellQuote(s)).Output()
		require.NoError(t, err, "sh for %q", s)
		require.Equal(t, s, string(out), "quoted %q came back different", s)
	})
}

func TestNewSSHRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t, dir, "id", "ed25519")
	t.Setenv("HOME", dir) // no default keys
	t.Setenv("SSH_AUTH_SOCK", "")
	good := SSHOptions{Host: "127.0.0.1:1", KeyFiles: []string{key.file}, InsecureIgnoreHostKey: true}
	tests := []struct {
		name string
		mod  func(o *SSHOptions)
		want string
	}{
		{"no host", func(o *SSHOptions) { o.Host = "" }, "Host is empty"},
		{"user in host", func(o *SSHOptions) { o.Host = "root@h" }, "set SSHOptions.User"},
		{"missing key", func(o *SSHOptions) { o.KeyFiles = []string{filepath.Join(dir, "nope")} }, "no such file"},
		{"no keys", func(o *SSHOptions) { o.KeyFiles = nil }, "no key to authenticate with"},
		{"bad known_hosts", func(o *SSHOptions) {
			o.InsecureIgnoreHostKey = false
			o.KnownHostsFiles = []string{filepath.Join(dir, "nope")}
		}, "known_hosts"},
		{"bad sudo", func(o *SSHOptions) { o.Sudo = "su" }, "want sudo or doas"},
		{"bad env", func(o *SSHOptions) { o.Env = []string{"A;B=1"} }, "environment entry"},
		{"NUL path", func(o *SSHOptions) { o.Paths = map[string]string{"zfs": "/a\x00b"} }, "NUL"},
		{"jump without host", func(o *SSHOptions) { o.Jump = &SSHOptions{} }, "Host is empty"},
	}
	for _, tc := range tests {
		o := good
		tc.mod(&o)
		_, err := NewSSH(context.Background(), o)
		require.ErrorContains(t, err, tc.want, tc.name)
	}
	loop := good
	loop.Jump = &loop
	_, err := NewSSH(context.Background(), loop)
	require.ErrorContains(t, err, "jump hosts")
}

func TestNewSSHEncryptedKey(t *testing.T) {
	dir := t.TempDir()
	_, priv, err := ed25519GenerateKey()
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	require.NoError(t, err)
	file := filepath.Join(dir, "id")
	require.NoError(t, os.WriteFile(file, pemEncode(block), 0o600))
	_, err = NewSSH(context.Background(), SSHOptions{Host: "h", KeyFiles: []string{file}, InsecureIgnoreHostKey: true})
	require.ErrorContains(t, err, "passphrase-protected")
}

// TestSSHArgvExact: what the remote program receives is the local argv, byte
// for byte, through a real sshd and the login shell, and nothing runs.
func TestSSHArgvExact(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	rec := script(t, f.dir, "rec", recorderBody)
	canary := filepath.Join(f.dir, "canary")
	opts := f.options()
	opts.Paths = map[string]string{"zfs": rec}
	r := newTestSSH(t, opts)
	args := hostileArgs(canary)

	var out bytes.Buffer
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "zfs", Args: args, Stdout: &out}))
	lc, got := parseRecord(t, out.String())
	assert.Equal(t, "C", lc)
	assert.Equal(t, args, got)

	// The local runner gives the same argv.
	out.Reset()
	require.NoError(t, (&Exec{Paths: opts.Paths}).Run(t.Context(), &Cmd{Name: "zfs", Args: args, Stdout: &out}))
	_, local := parseRecord(t, out.String())
	assert.Equal(t, local, got)

	// As property assignments and dataset names, the way zfs set gets them.
	set := []string{"set"}
	for _, a := range args {
		set = append(set, "user:p="+a, "tank/"+a)
	}
	out.Reset()
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "zfs", Args: set, Stdout: &out}))
	_, got = parseRecord(t, out.String())
	assert.Equal(t, set, got)
	assert.NoFileExists(t, canary)

	err := r.Run(t.Context(), &Cmd{Name: "zfs", Args: []string{"a\x00b"}})
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.ErrorContains(t, err, "NUL")
}

// TestSSHProgramNames: Paths and the program name are quoted too.
func TestSSHProgramNames(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	dir := filepath.Join(f.dir, "dir with 'quotes' and $(x)")
	require.NoError(t, os.Mkdir(dir, 0o755))
	rec := script(t, dir, "rec;x", recorderBody)
	opts := f.options()
	opts.Paths = map[string]string{"zfs": rec}
	opts.Env = []string{"GOZFS_A=a'b c", "LC_ALL=de_DE.UTF-8"}
	r := newTestSSH(t, opts)
	var out bytes.Buffer
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "zfs", Args: []string{"x"}, Stdout: &out}))
	lc, got := parseRecord(t, out.String())
	assert.Equal(t, "C", lc, "LC_ALL=C wins over Env")
	assert.Equal(t, []string{"x"}, got)

	env := script(t, f.dir, "env", `printf '%s' "$GOZFS_A"`)
	opts.Paths = map[string]string{"zfs": env}
	r2 := newTestSSH(t, opts)
	out.Reset()
	require.NoError(t, r2.Run(t.Context(), &Cmd{Name: "zfs", Stdout: &out}))
	assert.Equal(t, "a'b c", out.String())
}

func TestSSHExitStatus(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	opts := f.options()
	opts.Paths = map[string]string{
		"fail":   script(t, f.dir, "fail", "echo \"cannot open 'tank/x': dataset does not exist\" >&2\nexit 1\n"),
		"code":   script(t, f.dir, "code", "exit \"$1\"\n"),
		"killed": script(t, f.dir, "killed", "echo dying >&2\nkill -KILL $$\n"),
		"spew":   script(t, f.dir, "spew", "echo FIRST LINE >&2\nhead -c 200000 /dev/zero | tr '\\0' x >&2\necho >&2\necho LAST LINE >&2\nexit 2\n"),
		"ok":     script(t, f.dir, "ok", "echo out; echo err >&2\n"),
	}
	opts.StderrLimit = 1024
	r := newTestSSH(t, opts)
	ctx := t.Context()

	err := r.Run(ctx, &Cmd{Name: "fail", Args: []string{"tank/x"}})
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 1, xe.Code)
	assert.Equal(t, []string{"fail", "tank/x"}, xe.Argv)
	assert.Equal(t, "cannot open 'tank/x': dataset does not exist\n", xe.Stderr)
	assert.EqualError(t, err, "fail tank/x: exit status 1: cannot open 'tank/x': dataset does not exist")
	var se *ssh.ExitError
	assert.ErrorAs(t, err, &se)

	for _, code := range []int{2, 3, 42, 255} {
		err := r.Run(ctx, &Cmd{Name: "code", Args: []string{strconv.Itoa(code)}})
		require.ErrorAs(t, err, &xe)
		assert.Equal(t, code, xe.Code)
	}

	err = r.Run(ctx, &Cmd{Name: "killed"})
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, -1, xe.Code, "a remote signal is Code -1")
	assert.Equal(t, "dying\n", xe.Stderr)
	assert.Contains(t, err.Error(), "killed")

	var tee bytes.Buffer
	err = r.Run(ctx, &Cmd{Name: "spew", Stderr: &tee})
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 2, xe.Code)
	assert.True(t, strings.HasPrefix(xe.Stderr, "FIRST LINE\n"), xe.Stderr[:20])
	assert.True(t, strings.HasSuffix(xe.Stderr, "LAST LINE\n"))
	assert.Contains(t, xe.Stderr, "bytes of stderr omitted")
	assert.Less(t, len(xe.Stderr), 1200)
	assert.Equal(t, 200000+len("FIRST LINE\n\nLAST LINE\n"), tee.Len(), "Cmd.Stderr gets everything")

	var out, errOut bytes.Buffer
	require.NoError(t, r.Run(ctx, &Cmd{Name: "ok", Stdout: &out, Stderr: &errOut}))
	assert.Equal(t, "out\n", out.String())
	assert.Equal(t, "err\n", errOut.String())

	err = r.Run(ctx, &Cmd{Name: "gozfs-no-such-program"})
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 127, xe.Code)
	assert.ErrorIs(t, err, exec.ErrNotFound)
	assert.Contains(t, xe.Stderr, "not found")
}

// TestSSHDroppedConnection cuts the connection while a command runs: the
// command fails with ErrDisconnected, and the next one reconnects.
func TestSSHDroppedConnection(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	p := newProxy(t, f.server.addr)
	f.trust(t, p.addr())
	opts := f.options()
	opts.Host = p.addr()
	opts.Paths = map[string]string{"zfs": "cat"}
	opts.GracePeriod = 500 * time.Millisecond
	r := newTestSSH(t, opts)
	ctx := t.Context()

	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, &Cmd{Name: "zfs", Stdin: pr, Stdout: out}) }()
	_, err := pw.Write([]byte("hello\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return out.String() == "hello\n" }, 10*time.Second, 10*time.Millisecond)

	p.cut()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		require.Fail(t, "Run did not return after the connection was cut")
	}
	require.ErrorIs(t, err, ErrDisconnected)
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, -1, xe.Code)
	pw.Close()

	// The next command reconnects.
	var again bytes.Buffer
	require.NoError(t, r.Run(ctx, &Cmd{Name: "zfs", Stdin: strings.NewReader("again"), Stdout: &again}))
	assert.Equal(t, "again", again.String())
	assert.Equal(t, 2, p.connections())

	// A connection that dropped between commands is replaced too.
	p.cut()
	time.Sleep(100 * time.Millisecond)
	again.Reset()
	require.NoError(t, r.Run(ctx, &Cmd{Name: "zfs", Stdin: strings.NewReader("third"), Stdout: &again}))
	assert.Equal(t, "third", again.String())
	assert.Equal(t, 3, p.connections())
}

// TestSSHKeepAlive: a connection that goes silent is noticed by the
// keepalives, closed, and replaced at the next command.
func TestSSHKeepAlive(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	p := newProxy(t, f.server.addr)
	f.trust(t, p.addr())
	opts := f.options()
	opts.Host = p.addr()
	opts.Paths = map[string]string{"zfs": "cat"}
	opts.KeepAliveInterval = 100 * time.Millisecond
	opts.KeepAliveCountMax = 3
	opts.GracePeriod = 200 * time.Millisecond
	r := newTestSSH(t, opts)
	ctx := t.Context()

	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, &Cmd{Name: "zfs", Stdin: pr, Stdout: out}) }()
	_, err := pw.Write([]byte("x"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return out.String() == "x" }, 10*time.Second, 10*time.Millisecond)

	// Idle for a while: the keepalives are answered, nothing breaks.
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-done:
		require.Failf(t, "Run returned while the connection was fine", "%v", err)
	default:
	}

	p.freeze()
	start := time.Now()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		p.thaw()
		require.Fail(t, "keepalives did not notice a silent connection")
	}
	p.thaw()
	t.Logf("silent connection noticed after %v", time.Since(start))
	require.ErrorIs(t, err, ErrDisconnected)
	pw.Close()
	p.cut()

	var again bytes.Buffer
	require.NoError(t, r.Run(ctx, &Cmd{Name: "zfs", Stdin: strings.NewReader("ok"), Stdout: &again}))
	assert.Equal(t, "ok", again.String())
}

// TestSSHHostKeys: an unknown host and a changed key are refused with a
// *HostKeyError naming the host and the fingerprint of the key it showed.
func TestSSHHostKeys(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	serverKey := f.server.hostKeys[0].signer.PublicKey()
	fp := ssh.FingerprintSHA256(serverKey)

	t.Run("unknown", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "known_hosts")
		require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o600))
		opts := f.options()
		opts.KnownHostsFiles = []string{empty}
		_, err := NewSSH(t.Context(), opts)
		var he *HostKeyError
		require.ErrorAs(t, err, &he)
		assert.True(t, he.Unknown())
		assert.Equal(t, f.server.addr, he.Host)
		assert.Equal(t, fp, he.Fingerprint)
		assert.Equal(t, "ssh-ed25519", he.KeyType)
		assert.Contains(t, err.Error(), "unknown host "+f.server.addr)
		assert.Contains(t, err.Error(), fp)
		assert.Contains(t, err.Error(), empty)
	})

	t.Run("changed", func(t *testing.T) {
		other := newKey(t, t.TempDir(), "other", "ed25519").signer.PublicKey()
		kh := filepath.Join(t.TempDir(), "known_hosts")
		require.NoError(t, os.WriteFile(kh, []byte("# a stale key\n"+knownHostsLine(f.server.addr, other)), 0o600))
		opts := f.options()
		opts.KnownHostsFiles = []string{kh}
		_, err := NewSSH(t.Context(), opts)
		var he *HostKeyError
		require.ErrorAs(t, err, &he)
		assert.False(t, he.Unknown())
		assert.Equal(t, fp, he.Fingerprint)
		require.Len(t, he.Known, 1)
		assert.Equal(t, kh+":2 ssh-ed25519 "+ssh.FingerprintSHA256(other), he.Known[0])
		assert.Contains(t, err.Error(), "host key of "+f.server.addr+" changed")
		assert.Contains(t, err.Error(), fp)
		t.Log(err)
	})

	t.Run("changed type", func(t *testing.T) {
		// known_hosts has an ECDSA key; the server has only an Ed25519 one.
		other := newKey(t, t.TempDir(), "other", "ecdsa").signer.PublicKey()
		kh := filepath.Join(t.TempDir(), "known_hosts")
		require.NoError(t, os.WriteFile(kh, []byte(knownHostsLine(f.server.addr, other)), 0o600))
		opts := f.options()
		opts.KnownHostsFiles = []string{kh}
		_, err := NewSSH(t.Context(), opts)
		var he *HostKeyError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, fp, he.Fingerprint)
		assert.Equal(t, []string{kh + ":1 ecdsa-sha2-nistp256 " + ssh.FingerprintSHA256(other)}, he.Known)
	})

	t.Run("revoked", func(t *testing.T) {
		kh := filepath.Join(t.TempDir(), "known_hosts")
		line := "@revoked * " + string(ssh.MarshalAuthorizedKey(serverKey))
		require.NoError(t, os.WriteFile(kh, []byte(line+knownHostsLine(f.server.addr, serverKey)), 0o600))
		opts := f.options()
		opts.KnownHostsFiles = []string{kh}
		_, err := NewSSH(t.Context(), opts)
		var he *HostKeyError
		require.ErrorAs(t, err, &he)
		assert.True(t, he.Revoked)
		assert.Contains(t, err.Error(), "revoked")
	})

	t.Run("insecure", func(t *testing.T) {
		opts := f.options()
		opts.KnownHostsFiles = nil
		opts.InsecureIgnoreHostKey = true
		r := newTestSSH(t, opts)
		require.NoError(t, r.Run(t.Context(), &Cmd{Name: "true"}))
	})

	t.Run("default files", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv("HOME", home)
		require.NoError(t, os.Mkdir(filepath.Join(home, ".ssh"), 0o700))
		data, err := os.ReadFile(f.knownHosts)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), data, 0o600))
		opts := f.options()
		opts.KnownHostsFiles = nil
		r := newTestSSH(t, opts)
		require.NoError(t, r.Run(t.Context(), &Cmd{Name: "true"}))
	})
}

// TestSSHHostKeyAlgorithms: a server with several host keys is asked for the
// one known_hosts has, whichever that is.
func TestSSHHostKeyAlgorithms(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{hostKeyKinds: []string{"ecdsa", "ed25519"}})
	for _, k := range f.server.hostKeys {
		kh := filepath.Join(t.TempDir(), "known_hosts")
		require.NoError(t, os.WriteFile(kh, []byte(knownHostsLine(f.server.addr, k.signer.PublicKey())), 0o600))
		opts := f.options()
		opts.KnownHostsFiles = []string{kh}
		r, err := NewSSH(t.Context(), opts)
		require.NoError(t, err, "known_hosts with only %s", k.signer.PublicKey().Type())
		require.NoError(t, r.Run(t.Context(), &Cmd{Name: "true"}))
		r.Close()
	}
}

// TestSSHAgent authenticates with keys from an ssh-agent (an in-process one
// serving a unix socket), named explicitly or by $SSH_AUTH_SOCK.
func TestSSHAgent(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	t.Setenv("HOME", t.TempDir()) // no default key files
	keyring := agent.NewKeyring()
	_, priv, err := ed25519GenerateKey()
	require.NoError(t, err)
	require.NoError(t, keyring.Add(agent.AddedKey{PrivateKey: priv}))
	signer, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	f.authorize(t, signer.PublicKey())

	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = agent.ServeAgent(keyring, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })

	opts := f.options()
	opts.KeyFiles = nil
	opts.AgentSocket = sock
	r := newTestSSH(t, opts)
	var out bytes.Buffer
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "echo", Args: []string{"via agent"}, Stdout: &out}))
	assert.Equal(t, "via agent\n", out.String())

	t.Setenv("SSH_AUTH_SOCK", sock)
	opts.AgentSocket = ""
	r2 := newTestSSH(t, opts)
	require.NoError(t, r2.Run(t.Context(), &Cmd{Name: "true"}))

	// Without the agent there is no key.
	opts.AgentSocket = "none"
	_, err = NewSSH(t.Context(), opts)
	require.ErrorContains(t, err, "no key")
	// An agent socket that was named must be there.
	opts.AgentSocket = filepath.Join(t.TempDir(), "missing.sock")
	_, err = NewSSH(t.Context(), opts)
	require.ErrorContains(t, err, "ssh-agent")
}

// TestSSHJumpHost reaches the target through a jump host. The jump host is
// reached through a proxy: cutting it ends the command on the target, which
// shows that the traffic went through the jump host.
func TestSSHJumpHost(t *testing.T) {
	jump := newSSHFixture(t, sshdConfig{})
	target := newSSHFixture(t, sshdConfig{})
	p := newProxy(t, jump.server.addr)
	jump.trust(t, p.addr())

	opts := target.options()
	opts.Paths = map[string]string{"zfs": "cat"}
	opts.GracePeriod = 500 * time.Millisecond
	jo := jump.options()
	jo.Host = p.addr()
	opts.Jump = &jo
	r := newTestSSH(t, opts)
	ctx := t.Context()

	var out bytes.Buffer
	require.NoError(t, r.Run(ctx, &Cmd{Name: "zfs", Stdin: strings.NewReader("through the jump host"), Stdout: &out}))
	assert.Equal(t, "through the jump host", out.String())
	assert.Equal(t, 1, p.connections())

	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, &Cmd{Name: "zfs", Stdin: pr}) }()
	time.Sleep(200 * time.Millisecond)
	p.cut()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrDisconnected)
	case <-time.After(20 * time.Second):
		require.Fail(t, "cutting the jump host's connection did not end the command")
	}
	pw.Close()
	out.Reset()
	require.NoError(t, r.Run(ctx, &Cmd{Name: "zfs", Stdin: strings.NewReader("again"), Stdout: &out}))
	assert.Equal(t, "again", out.String())
	assert.Equal(t, 2, p.connections())

	// The target's key is checked against the target's known_hosts, behind
	// the jump host: a wrong one names the target.
	bad := filepath.Join(t.TempDir(), "known_hosts")
	require.NoError(t, os.WriteFile(bad, []byte(knownHostsLine(target.server.addr, jump.server.hostKeys[0].signer.PublicKey())), 0o600))
	opts.KnownHostsFiles = []string{bad}
	_, err := NewSSH(ctx, opts)
	var he *HostKeyError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, target.server.addr, he.Host)
	assert.Equal(t, ssh.FingerprintSHA256(target.server.hostKeys[0].signer.PublicKey()), he.Fingerprint)
}

// TestSSHCancel: a cancelled context stops the remote command (SIGTERM, or
// SIGINT for Cmd.Interrupt, and SIGKILL for one that ignores both), Run
// returns the context's error, and no goroutine is left behind.
func TestSSHCancel(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	pidFile := filepath.Join(f.dir, "pid")
	opts := f.options()
	opts.GracePeriod = 10 * time.Second
	opts.Paths = map[string]string{
		"sleeper":  script(t, f.dir, "sleeper", "echo $$ > "+pidFile+"\nexec sleep 60\n"),
		"stubborn": script(t, f.dir, "stubborn", "trap '' INT TERM\necho $$ > "+pidFile+"\nexec sleep 60\n"),
		"signals": script(t, f.dir, "signals", `trap 'echo got INT >&2; exit 130' INT
trap 'echo got TERM >&2; exit 143' TERM
echo $$ > `+pidFile+`
while :; do sleep 0.05; done
`),
	}
	r, err := NewSSH(t.Context(), opts)
	require.NoError(t, err)
	defer r.Close()
	shortOpts := opts
	shortOpts.GracePeriod = time.Second
	short, err := NewSSH(t.Context(), shortOpts)
	require.NoError(t, err)
	defer short.Close()

	run := func(r *SSH, c *Cmd) (int, time.Duration, error) {
		t.Helper()
		os.Remove(pidFile)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx, c) }()
		var pid int
		require.Eventually(t, func() bool {
			b, err := os.ReadFile(pidFile)
			if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
				return false
			}
			pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
			return err == nil
		}, 10*time.Second, 10*time.Millisecond)
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			return pid, time.Since(start), err
		case <-time.After(20 * time.Second):
			require.Fail(t, "Run did not return after cancel")
		}
		return 0, 0, nil
	}
	gone := func(pid int) {
		t.Helper()
		require.Eventually(t, func() bool { return syscall.Kill(pid, 0) == syscall.ESRCH },
			5*time.Second, 10*time.Millisecond, "remote process %d still running", pid)
	}

	pid, took, err := run(r, &Cmd{Name: "sleeper"})
	require.ErrorIs(t, err, context.Canceled)
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, -1, xe.Code)
	assert.Less(t, took, opts.GracePeriod, "SIGTERM alone stops sleep")
	gone(pid)

	pid, _, err = run(r, &Cmd{Name: "signals", Interrupt: true})
	require.ErrorAs(t, err, &xe)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, xe.Stderr, "got INT")
	assert.Equal(t, 130, xe.Code)
	gone(pid)

	pid, _, err = run(r, &Cmd{Name: "signals"})
	require.ErrorAs(t, err, &xe)
	assert.Contains(t, xe.Stderr, "got TERM")
	gone(pid)

	pid, took, err = run(short, &Cmd{Name: "stubborn"})
	require.ErrorIs(t, err, context.Canceled)
	assert.GreaterOrEqual(t, took, shortOpts.GracePeriod, "SIGKILL comes after the grace period")
	gone(pid)

	// The connection survived all of it.
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "true"}))
	require.NoError(t, short.Run(t.Context(), &Cmd{Name: "true"}))

	// A context that ended before Run starts nothing.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = r.Run(ctx, &Cmd{Name: "sleeper"})
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, r.Close())
	require.NoError(t, short.Close())
}

// TestSSHStreaming pipes a few hundred MiB through a remote cat: the bytes
// arrive intact and the memory in use stays bounded.
func TestSSHStreaming(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	opts := f.options()
	opts.Paths = map[string]string{"zfs": "cat"}
	r, err := NewSSH(t.Context(), opts)
	require.NoError(t, err)
	defer r.Close()

	size := int64(256 << 20)
	if testing.Short() || raceEnabled {
		size = 64 << 20
	}
	src := newPattern(size)
	dst := &hashCounter{h: sha256.New()}

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := make(chan uint64, 1)
	go func() {
		var max uint64
		var m runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > max {
					max = m.HeapInuse
				}
			}
		}
	}()
	start := time.Now()
	err = r.Run(t.Context(), &Cmd{Name: "zfs", Stdin: src, Stdout: dst})
	took := time.Since(start)
	close(stop)
	max := <-peak
	require.NoError(t, err)
	assert.Equal(t, size, dst.n)
	assert.Equal(t, src.h.Sum(nil), dst.h.Sum(nil), "the bytes came back intact")
	growth := int64(max) - int64(before.HeapInuse)
	t.Logf("%d MiB in %v (%.0f MiB/s), heap in use grew by %.1f MiB at most",
		size>>20, took, float64(size)/(1<<20)/took.Seconds(), float64(growth)/(1<<20))
	assert.Less(t, growth, int64(32<<20), "memory grows with the stream")
}

// TestSSHOutputWriterFails: when Cmd.Stdout fails, the session is closed so
// that the remote command stops, and Run reports the writer's error.
func TestSSHOutputWriterFails(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	opts := f.options()
	opts.Paths = map[string]string{"zfs": "yes"}
	r := newTestSSH(t, opts)
	boom := errors.New("disk full")
	done := make(chan error, 1)
	go func() { done <- r.Run(t.Context(), &Cmd{Name: "zfs", Stdout: &failAfter{n: 1 << 20, err: boom}}) }()
	select {
	case err := <-done:
		require.ErrorIs(t, err, boom)
		var xe *ExitError
		require.ErrorAs(t, err, &xe)
		assert.Equal(t, -1, xe.Code)
	case <-time.After(20 * time.Second):
		require.Fail(t, "Run did not return after the writer failed")
	}
	// The input side: a reader that fails is reported too.
	opts.Paths = map[string]string{"zfs": "cat"}
	r2 := newTestSSH(t, opts)
	err := r2.Run(t.Context(), &Cmd{Name: "zfs", Stdin: io.MultiReader(strings.NewReader("abc"), &failAfter{err: boom}), Stdout: io.Discard})
	require.ErrorIs(t, err, boom)
}

// TestSSHConcurrent runs more commands at once than one connection has
// sessions: they share the connection and all succeed.
func TestSSHConcurrent(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	opts := f.options()
	opts.Paths = map[string]string{"zfs": script(t, f.dir, "slow", "sleep 0.2\nprintf '%s' \"$1\"\n")}
	r := newTestSSH(t, opts)
	var wg sync.WaitGroup
	errs := make([]error, 30)
	outs := make([]bytes.Buffer, 30)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Run(t.Context(), &Cmd{Name: "zfs", Args: []string{strconv.Itoa(i)}, Stdout: &outs[i]})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, i)
		assert.Equal(t, strconv.Itoa(i), outs[i].String())
	}
}

// TestSSHSudo: with Sudo the remote argv is `sudo -n -- program args`. A
// recording "sudo" shows the argv; the real sudo (as root) runs the program.
func TestSSHSudo(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	opts := f.options()
	for _, name := range []string{"sudo", "doas"} {
		opts.Sudo = script(t, f.dir, name, recorderBody)
		r := newTestSSH(t, opts)
		var out bytes.Buffer
		require.NoError(t, r.Run(t.Context(), &Cmd{Name: "zfs", Args: []string{"list", "-H", "tank/a b", "$(id)"}, Stdout: &out}))
		_, got := parseRecord(t, out.String())
		assert.Equal(t, []string{"-n", "--", "zfs", "list", "-H", "tank/a b", "$(id)"}, got, name)
	}

	if _, err := os.Stat("/usr/bin/sudo"); err != nil {
		if os.Getenv("GOZFS_REQUIRE_SSHD") == "1" {
			require.Fail(t, "sudo not installed (make test-deps installs it)")
		}
		t.Skip("sudo not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("the real sudo is tested as root, where it needs no password")
	}
	rec := script(t, f.dir, "rec", `printf '%s\0' "$(id -u)" "$SUDO_COMMAND"`+"\n"+recorderBody)
	opts.Sudo = "sudo"
	opts.Paths = map[string]string{"zfs": rec}
	r := newTestSSH(t, opts)
	var out bytes.Buffer
	require.NoError(t, r.Run(t.Context(), &Cmd{Name: "zfs", Args: []string{"get", "-H", "it's $(x)"}, Stdout: &out}))
	fields := strings.SplitN(out.String(), "\x00", 3)
	require.Len(t, fields, 3)
	assert.Equal(t, "0", fields[0])
	assert.Equal(t, rec+" get -H it's $(x)", fields[1], "sudo ran the program")
	lc, got := parseRecord(t, fields[2])
	assert.Equal(t, "C", lc, "LC_ALL survives sudo")
	assert.Equal(t, []string{"get", "-H", "it's $(x)"}, got)
}

func TestSSHClosed(t *testing.T) {
	f := newSSHFixture(t, sshdConfig{})
	r := newTestSSH(t, f.options())
	require.NoError(t, r.Close())
	err := r.Run(t.Context(), &Cmd{Name: "true"})
	require.ErrorIs(t, err, net.ErrClosed)
}

// trust adds the server's host keys for addr (a proxy in front of it) to the
// fixture's known_hosts.
func (f *sshFixture) trust(t testing.TB, addr string) {
	t.Helper()
	fh, err := os.OpenFile(f.knownHosts, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	defer fh.Close()
	for _, k := range f.server.hostKeys {
		_, err := fh.WriteString(knownHostsLine(addr, k.signer.PublicKey()))
		require.NoError(t, err)
	}
}

// authorize lets key log in too.
func (f *sshFixture) authorize(t testing.TB, key ssh.PublicKey) {
	t.Helper()
	fh, err := os.OpenFile(filepath.Join(filepath.Dir(f.server.log), "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	defer fh.Close()
	_, err = fh.Write(ssh.MarshalAuthorizedKey(key))
	require.NoError(t, err)
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// failAfter accepts n bytes, then fails with err (as a writer or a reader).
type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

func (f *failAfter) Read(p []byte) (int, error) { return 0, f.err }

// pattern is a reader of n bytes that hashes what it hands out.
type pattern struct {
	block []byte
	off   int
	left  int64
	h     interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func newPattern(n int64) *pattern {
	block := make([]byte, 1<<20+7) // not a multiple of any packet size
	for i := range block {
		block[i] = byte(i*7 + i>>9)
	}
	return &pattern{block: block, left: n, h: sha256.New()}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n := copy(b, p.block[p.off:])
	p.off = (p.off + n) % len(p.block)
	p.left -= int64(n)
	p.h.Write(b[:n])
	return n, nil
}

// hashCounter hashes and counts what is written to it.
type hashCounter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (h *hashCounter) Write(p []byte) (int, error) {
	h.n += int64(len(p))
	return h.h.Write(p)
}

func ed25519GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

func pemEncode(b *pem.Block) []byte { return pem.EncodeToMemory(b) }
