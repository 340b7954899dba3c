package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// images decompresses the images of a format/poolimage fixture pool.
func images(t *testing.T, pool string) []string {
	t.Helper()
	srcs, _ := filepath.Glob(filepath.Join("../../format/poolimage/testdata/images", pool+".*.img.zst"))
	if len(srcs) == 0 {
		t.Skipf("no images of %s", pool)
	}
	if _, err := exec.LookPath("zstd"); err != nil {
		t.Skip("zstd not installed")
	}
	dir := t.TempDir()
	var out []string
	for _, src := range srcs {
		dst := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".zst"))
		if b, err := exec.Command("zstd", "-q", "-d", src, "-o", dst).CombinedOutput(); err != nil {
			t.Fatalf("zstd: %v: %s", err, b)
		}
		out = append(out, dst)
	}
	return out
}

func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCommands(t *testing.T) {
	imgs := images(t, "fxmirror")
	code, out, errOut := runCmd("label", imgs[0])
	if code != 0 {
		t.Fatalf("label: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"label 0: ok", "label 3: ok", "pool: fxmirror\n", "state: EXPORTED\n", "  mirror id=0", "active uberblock:"} {
		if !strings.Contains(out, want) {
			t.Errorf("label output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := runCmd("label", "-json", imgs[0]); code != 0 || !strings.Contains(out, `"pool_guid"`) {
		t.Errorf("label -json: exit %d:\n%s", code, out)
	}

	code, out, errOut = runCmd(append([]string{"datasets"}, imgs...)...)
	if code != 0 || !strings.HasPrefix(out, "fxmirror\tfilesystem\t") {
		t.Errorf("datasets: exit %d: %s%s", code, out, errOut)
	}

	code, out, errOut = runCmd(append([]string{"ls", "-l", "fxmirror"}, imgs...)...)
	if code != 0 || !strings.Contains(out, " link -> random.bin\n") || !strings.Contains(out, " text.txt\n") {
		t.Errorf("ls -l: exit %d: %s%s", code, out, errOut)
	}
	code, out, _ = runCmd(append([]string{"ls", "-R", "fxmirror:small"}, imgs[1:]...)...)
	if code != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 100 {
		t.Errorf("ls -R with one mirror side: exit %d:\n%s", code, out)
	}

	code, out, _ = runCmd(append([]string{"cat", "fxmirror:sizes/text-513"}, imgs...)...)
	if code != 0 || len(out) != 513 || !strings.HasPrefix(out, "size513 line 000000") {
		t.Errorf("cat: exit %d, %d bytes", code, len(out))
	}
	if code, _, errOut := runCmd(append([]string{"cat", "fxmirror:nope"}, imgs...)...); code != 1 || !strings.Contains(errOut, "not exist") {
		t.Errorf("cat of a missing file: exit %d: %s", code, errOut)
	}

	code, out, _ = runCmd(append([]string{"get", "fxmirror"}, imgs...)...)
	if code != 0 || !strings.Contains(out, "compression\tlz4\tlocal\n") || !strings.Contains(out, "type\tfilesystem\t-\n") {
		t.Errorf("get: exit %d:\n%s", code, out)
	}
	code, out, _ = runCmd(append([]string{"get", "-p", "guid", "fxmirror"}, imgs...)...)
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("get -p guid: exit %d:\n%s", code, out)
	}

	if code, _, _ := runCmd("ls"); code != 2 {
		t.Errorf("ls without arguments: exit %d, want 2", code)
	}
	if code, _, _ := runCmd("bogus"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, make([]byte, 4<<20), 0o600)
	if code, _, errOut := runCmd("label", empty); code != 1 || !strings.Contains(errOut, "no valid vdev label") {
		t.Errorf("label of zeros: exit %d: %s", code, errOut)
	}
}
