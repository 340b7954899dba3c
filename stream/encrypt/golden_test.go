package encrypt_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/internal/golden"
	"github.com/gozfs/gozfs/stream/encrypt"
)

// The golden files pin both formats: age files written by the age command
// (1.1.1, Debian bookworm) with test keys, and gozfs streams as this
// package has written them since version 1 of its format. Every future
// version of this package must read them.
const (
	goldenText  = "a golden age file\n"
	goldenPass  = "golden passphrase"
	goldenKeyID = "golden"
)

// goldenPlaintext is the multi-chunk plaintext of age-x25519.age.
func goldenPlaintext() []byte { return randBytesSeed(64<<10+100, 64) }

func goldenIdentities(t testing.TB) []age.Identity {
	t.Helper()
	var ids []age.Identity
	for _, f := range []string{"age-key.txt", "age-ssh-ed25519"} {
		id, err := encrypt.ParseIdentities(bytes.NewReader(golden.Read(t, f)))
		require.NoError(t, err)
		ids = append(ids, id...)
	}
	return ids
}

// goldenGozfsRand is the fixed randomness of the gozfs golden streams.
func goldenGozfsRand() detRand { return detRand{rand.NewChaCha8([32]byte{'g', 'o', 'l', 'd'})} }

// TestGolden reads every golden file. With -update it first regenerates
// them (that needs age, age-keygen and ssh-keygen).
func TestGolden(t *testing.T) {
	if golden.Update() {
		regenerateGolden(t)
	}
	ids := goldenIdentities(t)
	byID := mustNew(t, encrypt.Options{Identities: ids})
	files := map[string]struct {
		tr   *encrypt.Transform
		want []byte
		f    encrypt.Format
	}{
		"age-x25519.age":         {byID, goldenPlaintext(), encrypt.FormatAge},
		"age-x25519-empty.age":   {byID, []byte{}, encrypt.FormatAge},
		"age-x25519-armor.age":   {byID, []byte(goldenText), encrypt.FormatAge},
		"age-ssh-ed25519.age":    {byID, []byte(goldenText), encrypt.FormatAge},
		"age-scrypt-logn2.age":   {mustNew(t, encrypt.Options{Passphrase: []byte(goldenPass)}), []byte(goldenText), encrypt.FormatAge},
		"gozfs-v1-key.enc":       {mustNew(t, encrypt.Options{Key: testKey(0x42)}), []byte(goldenText), encrypt.FormatGozfs},
		"gozfs-v1-argon2id.enc":  {mustNew(t, encrypt.Options{Passphrase: []byte(goldenPass)}), []byte(goldenText), encrypt.FormatGozfs},
		"gozfs-v1-chacha-16.enc": {mustNew(t, encrypt.Options{Key: testKey(0x42)}), []byte(goldenText), encrypt.FormatGozfs},
	}
	for name, g := range files {
		t.Run(name, func(t *testing.T) {
			r := g.tr.Reader(bytes.NewReader(golden.Read(t, name)))
			f, err := r.Format()
			require.NoError(t, err)
			require.Equal(t, g.f, f)
			var got bytes.Buffer
			_, err = r.WriteTo(&got)
			require.NoError(t, err)
			require.Equal(t, g.want, nonNil(got.Bytes()))
		})
	}
}

// regenerateGolden rewrites testdata with the age command and this
// package. Keys are regenerated too, so every file changes.
func regenerateGolden(t *testing.T) {
	requireAgeCLI(t)
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	p := golden.Path
	run := func(stdin []byte, name string, args ...string) []byte {
		cmd := exec.Command(name, args...)
		cmd.Stdin = bytes.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), stderr.String())
		return out
	}
	for _, f := range []string{"age-key.txt", "age-ssh-ed25519", "age-ssh-ed25519.pub"} {
		os.Remove(p(f))
	}
	run(nil, "age-keygen", "-o", p("age-key.txt"))
	pub := strings.TrimSpace(string(run(nil, "age-keygen", "-y", p("age-key.txt"))))
	run(nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gozfs golden test key", "-f", p("age-ssh-ed25519"))
	write := func(name string, b []byte) { require.NoError(t, os.WriteFile(p(name), b, 0o644)) }
	write("age-x25519.age", run(goldenPlaintext(), "age", "-e", "-r", pub))
	write("age-x25519-empty.age", run(nil, "age", "-e", "-r", pub))
	write("age-x25519-armor.age", run([]byte(goldenText), "age", "-e", "-a", "-r", pub))
	write("age-ssh-ed25519.age", run([]byte(goldenText), "age", "-e", "-R", p("age-ssh-ed25519.pub")))
	// age -p always uses work factor 2^18; this one is cheap to read.
	write("age-scrypt-logn2.age", seal(t, mustNew(t, encrypt.Options{Passphrase: []byte(goldenPass), Scrypt: encrypt.ScryptParams{LogN: 2}}), []byte(goldenText)))
	write("gozfs-v1-key.enc", seal(t, mustNew(t, encrypt.Options{Key: testKey(0x42), KeyID: goldenKeyID, Rand: goldenGozfsRand()}), []byte(goldenText)))
	write("gozfs-v1-argon2id.enc", seal(t, mustNew(t, encrypt.Options{Format: encrypt.FormatGozfs, Passphrase: []byte(goldenPass),
		Argon2id: encrypt.Argon2idParams{Time: 1, MemoryKiB: 64, Threads: 1}, Rand: goldenGozfsRand()}), []byte(goldenText)))
	write("gozfs-v1-chacha-16.enc", seal(t, mustNew(t, encrypt.Options{Key: testKey(0x42), Algorithm: encrypt.ChaCha20Poly1305,
		ChunkSize: 16, Rand: goldenGozfsRand()}), []byte(goldenText)))
}
