package encrypt_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/gozfs/gozfs/stream/encrypt"
)

// These tests prove interoperability with the age command (Debian package
// "age"): streams written here decrypt with `age -d`, and files written by
// `age` decrypt here, for X25519 keys, ssh-ed25519 keys and passphrases.
//
// `make test` installs age (Makefile target test-deps) and sets GOZFS_REQUIRE_AGE=1,
// so there a missing age command fails the tests. A plain `go test` on a
// machine without age skips them, saying so.

func requireAgeCLI(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"age", "age-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GOZFS_REQUIRE_AGE") == "1" {
				require.NoError(t, err, "GOZFS_REQUIRE_AGE=1 but %s is not installed (make test-deps installs it)", tool)
			}
			t.Skipf("%s is not installed (apt-get install age, or run make test, which installs it): skipping the interoperability test", tool)
		}
	}
}

// ageCmd runs the age command with args and stdin and returns its stdout.
func ageCmd(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "%s %s: %s", name, strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// cliPlaintexts are the payloads sent through the age command: empty, one
// byte, exactly one age chunk, and several chunks with a short last one.
func cliPlaintexts() map[string][]byte {
	return map[string][]byte{
		"empty":   {},
		"1B":      {'x'},
		"64KiB":   bytes.Repeat([]byte{0xa5}, 64<<10),
		"200KiB+": randBytesSeed(200<<10+123, 3),
	}
}

func TestAgeCLIX25519(t *testing.T) {
	requireAgeCLI(t)
	// gozfs encrypts to a key generated here; age -d -i decrypts.
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	idFile := writeFile(t, "key.txt", []byte(id.String()+"\n"))
	tr := mustNew(t, encrypt.Options{Recipients: []age.Recipient{id.Recipient()}})
	for name, pt := range cliPlaintexts() {
		t.Run("gozfs-to-age/"+name, func(t *testing.T) {
			ct := writeFile(t, "x.age", seal(t, tr, pt))
			require.Equal(t, pt, nonNil(ageCmd(t, nil, "age", "-d", "-i", idFile, ct)))
		})
	}

	// age-keygen makes a key, age -r encrypts, gozfs decrypts with the
	// parsed identity file.
	keyFile := filepath.Join(t.TempDir(), "keygen.txt")
	ageCmd(t, nil, "age-keygen", "-o", keyFile)
	pub := strings.TrimSpace(string(ageCmd(t, nil, "age-keygen", "-y", keyFile)))
	f, err := os.Open(keyFile)
	require.NoError(t, err)
	ids, err := encrypt.ParseIdentities(f)
	f.Close()
	require.NoError(t, err)
	rx := mustNew(t, encrypt.Options{Identities: ids})
	for name, pt := range cliPlaintexts() {
		t.Run("age-to-gozfs/"+name, func(t *testing.T) {
			ct := ageCmd(t, pt, "age", "-e", "-r", pub)
			got, err := open(rx, ct)
			require.NoError(t, err)
			require.Equal(t, pt, nonNil(got))
		})
	}
	t.Run("age-armor-to-gozfs", func(t *testing.T) {
		pt := randBytesSeed(100<<10, 4)
		ct := ageCmd(t, pt, "age", "-e", "-a", "-r", pub)
		require.True(t, bytes.HasPrefix(ct, []byte("-----BEGIN AGE ENCRYPTED FILE-----")))
		got, err := open(rx, ct)
		require.NoError(t, err)
		require.Equal(t, pt, got)
	})
	t.Run("age-to-gozfs/wrong-key", func(t *testing.T) {
		other, err := age.GenerateX25519Identity()
		require.NoError(t, err)
		ct := ageCmd(t, []byte("secret"), "age", "-e", "-r", other.Recipient().String())
		_, err = open(rx, ct)
		require.ErrorIs(t, err, encrypt.ErrWrongKey)
	})
}

// sshEd25519Key returns an OpenSSH private key file and its authorized_keys
// line, made here.
func sshEd25519Key(t *testing.T) (privPEM []byte, authorized string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "gozfs test")
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

func TestAgeCLISSHEd25519(t *testing.T) {
	requireAgeCLI(t)
	privPEM, authorized := sshEd25519Key(t)
	privFile := writeFile(t, "id_ed25519", privPEM)
	pubFile := writeFile(t, "id_ed25519.pub", []byte(authorized+"\n"))

	recips, err := encrypt.ParseRecipients(strings.NewReader(authorized))
	require.NoError(t, err)
	tr := mustNew(t, encrypt.Options{Recipients: recips})
	require.Equal(t, "encrypt(format=age,recipients=ssh-ed25519)", tr.Spec().String())
	ids, err := encrypt.ParseIdentities(bytes.NewReader(privPEM))
	require.NoError(t, err)
	rx := mustNew(t, encrypt.Options{Identities: ids})

	for name, pt := range cliPlaintexts() {
		t.Run("gozfs-to-age/"+name, func(t *testing.T) {
			ct := writeFile(t, "x.age", seal(t, tr, pt))
			require.Equal(t, pt, nonNil(ageCmd(t, nil, "age", "-d", "-i", privFile, ct)))
		})
		t.Run("age-to-gozfs/"+name, func(t *testing.T) {
			ct := ageCmd(t, pt, "age", "-e", "-R", pubFile)
			got, err := open(rx, ct)
			require.NoError(t, err)
			require.Equal(t, pt, nonNil(got))
		})
	}
}

// TestAgeCLIPassphrase drives age's passphrase prompts through a
// pseudo-terminal, since age reads passphrases only from a terminal (it
// has no environment variable or flag for one).
//
// It runs in parallel with the package's other tests: `age -p` always uses
// scrypt work factor 2^18 (age 1.1.1 has no way to lower it), so reading
// its file costs one such scrypt here, several seconds under -race.
func TestAgeCLIPassphrase(t *testing.T) {
	requireAgeCLI(t)
	t.Parallel()
	const pass = "correct horse battery staple"
	pt := randBytesSeed(150<<10+7, 5)

	t.Run("gozfs-to-age", func(t *testing.T) {
		// A low work factor keeps the test quick; age -d accepts it.
		tr := mustNew(t, encrypt.Options{Passphrase: []byte(pass), Scrypt: encrypt.ScryptParams{LogN: 10}})
		sealed := seal(t, tr, pt)
		ct := writeFile(t, "x.age", sealed)
		out := filepath.Join(t.TempDir(), "out")
		ageWithTTY(t, pass, "age", "-d", "-o", out, ct)
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, pt, got)
		_, err = open(mustNew(t, encrypt.Options{Passphrase: []byte("wrong")}), sealed)
		require.ErrorIs(t, err, encrypt.ErrWrongPassphrase)
	})
	t.Run("age-to-gozfs", func(t *testing.T) {
		in := writeFile(t, "in", pt)
		out := filepath.Join(t.TempDir(), "x.age")
		ageWithTTY(t, pass, "age", "-e", "-p", "-o", out, in)
		ct, err := os.ReadFile(out)
		require.NoError(t, err)
		got, err := open(mustNew(t, encrypt.Options{Passphrase: []byte(pass)}), ct)
		require.NoError(t, err)
		require.Equal(t, pt, got)
	})
}

// ageWithTTY runs the age command with a new pseudo-terminal as its
// controlling terminal and answers every passphrase prompt with pass.
func ageWithTTY(t *testing.T, pass string, name string, args ...string) {
	t.Helper()
	master, slave := openPTY(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{slave} // fd 3 in the child
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	require.NoError(t, cmd.Start())
	slave.Close()

	var mu sync.Mutex
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		answered := 0
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			prompts := strings.Count(screen.String(), "passphrase")
			mu.Unlock()
			for ; answered < prompts; answered++ {
				if _, werr := master.Write([]byte(pass + "\n")); werr != nil {
					return
				}
			}
			if err != nil { // EIO once the child has exited
				return
			}
		}
	}()
	err := cmd.Wait()
	master.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	require.NoError(t, err, "%s %s: stderr %q, terminal %q", name, strings.Join(args, " "), stderr.String(), screen.String())
	require.Contains(t, screen.String(), "passphrase", "age did not prompt on the terminal")
}

// openPTY opens a pseudo-terminal pair. Without one, the test fails
// under GOZFS_REQUIRE_AGE=1 and is skipped otherwise, as for a missing age.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	noPTY := func(err error) {
		if os.Getenv("GOZFS_REQUIRE_AGE") == "1" {
			require.Failf(t, "GOZFS_REQUIRE_AGE=1 but no pseudo-terminal for age's passphrase prompt", "%v", err)
		}
		t.Skipf("no pseudo-terminal for age's passphrase prompt: %v", err)
	}
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		noPTY(err)
	}
	fd := int(m.Fd())
	var s *os.File
	if err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err == nil { // unlockpt
		var n uint32
		if n, err = unix.IoctlGetUint32(fd, unix.TIOCGPTN); err == nil { // ptsname
			s, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
		}
	}
	if err != nil {
		m.Close()
		noPTY(err)
	}
	return m, s
}

// nonNil turns a nil slice into an empty one, so empty plaintexts compare
// equal however they were read.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
