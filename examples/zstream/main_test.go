package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The streams and tokens come from the sendstream and resumetoken test
// fixtures, made with real OpenZFS.
const (
	streamDir = "../../format/sendstream/testdata"
	tokenDir  = "../../format/resumetoken/testdata"
)

// fixture gunzips a sendstream fixture into a temporary file.
func fixture(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(streamDir, name+".zsend.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".zsend")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCmd(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := run(args, stdin, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestDumpSummaryMatchesZstream(t *testing.T) {
	for _, name := range []string{"full", "replicate-R", "raw-w", "lec"} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd(t, nil, "dump", fixture(t, name))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			want, err := os.ReadFile(filepath.Join(streamDir, name+".dump"))
			if err != nil {
				t.Fatal(err)
			}
			// Every SUMMARY line of zstream dump appears in ours.
			sc := bufio.NewScanner(bytes.NewReader(want))
			inSummary := false
			for sc.Scan() {
				line := sc.Text()
				if line == "SUMMARY:" {
					inSummary = true
				}
				if inSummary && !strings.Contains(out, line+"\n") {
					t.Errorf("missing %q in:\n%s", line, out)
				}
			}
			if !inSummary {
				t.Fatal("no SUMMARY in zstream dump output")
			}
		})
	}
}

// TestDumpVerboseMatchesZstream compares the per-record lines of dump -vv
// with the installed zstream dump -vv; it skips without zstream.
func TestDumpVerboseMatchesZstream(t *testing.T) {
	zstream, err := exec.LookPath("zstream")
	if err != nil {
		t.Skip("zstream not installed")
	}
	records := func(s string) []string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			for _, p := range []string{"OBJECT", "FREE", "WRITE", "SPILL", "REDACT", "END checksum", "    checksum"} {
				if strings.HasPrefix(l, p) {
					lines = append(lines, l)
					break
				}
			}
		}
		return lines
	}
	for _, name := range []string{"full", "incremental", "replicate-R", "raw-w", "embedded-e", "lec"} {
		t.Run(name, func(t *testing.T) {
			path := fixture(t, name)
			code, out, errOut := runCmd(t, nil, "dump", "-vv", path)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			want, err := exec.Command(zstream, "dump", "-vv", path).Output()
			if err != nil {
				t.Fatal(err)
			}
			got, wantLines := records(out), records(string(want))
			if len(got) != len(wantLines) || len(got) == 0 {
				t.Fatalf("%d record lines, zstream prints %d", len(got), len(wantLines))
			}
			for i := range got {
				if got[i] != wantLines[i] {
					t.Fatalf("line %d:\n got %s\nwant %s", i, got[i], wantLines[i])
				}
			}
		})
	}
}

func TestDumpJSON(t *testing.T) {
	code, out, errOut := runCmd(t, nil, "dump", "-json", fixture(t, "replicate-R"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s jsonSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if !s.Complete || s.Compound == nil || len(s.Substreams) != 4 || s.Substreams[3].ToName != "gozfsfx/fs/child@c" ||
		s.Records["BEGIN"] != 5 || s.Compound.NVList == nil {
		t.Errorf("summary = %+v", s)
	}
}

func TestDumpStdinAndErrors(t *testing.T) {
	data, err := os.ReadFile(fixture(t, "incremental"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, bytes.NewReader(data), "dump", "-")
	if code != 0 || !strings.Contains(out, "SUBSTREAM 0 gozfsfx/fs@b") {
		t.Errorf("dump from stdin: exit %d\n%s", code, out)
	}
	code, out, errOut := runCmd(t, bytes.NewReader(data[:len(data)-100]), "dump")
	if code != 1 || !strings.Contains(errOut, "truncated") || !strings.Contains(out, "Stream is incomplete") {
		t.Errorf("truncated dump: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestVerify(t *testing.T) {
	path := fixture(t, "replicate-R")
	code, out, errOut := runCmd(t, nil, "verify", path)
	if code != 0 || !strings.HasPrefix(out, "ok: compound stream, 4 substreams") {
		t.Errorf("exit %d: %s%s", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	code, _, errOut = runCmd(t, bytes.NewReader(data), "verify")
	if code != 1 || !strings.Contains(errOut, "checksum mismatch") {
		t.Errorf("corrupt stream: exit %d: %s", code, errOut)
	}
}

func TestToken(t *testing.T) {
	toks, err := os.ReadFile(filepath.Join(tokenDir, "tokens.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(toks)), "\n") {
		label, tok, _ := strings.Cut(line, " ")
		want, err := os.ReadFile(filepath.Join(tokenDir, label+".zstream-token"))
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCmd(t, nil, "token", tok)
		if code != 0 || out != string(want) {
			t.Errorf("%s: exit %d %s\n got:\n%s\nwant (zstream token):\n%s", label, code, errOut, out, want)
		}
	}
	full := strings.Fields(strings.Split(string(toks), "\n")[0])[1]
	if code, out, _ := runCmd(t, strings.NewReader(full+"\n"), "token", "-json", "-"); code != 0 || !strings.Contains(out, `"toname": "gozfsfx/fs@a"`) {
		t.Errorf("token -json from stdin: exit %d\n%s", code, out)
	}
	if code, out, _ := runCmd(t, nil, "token", "-snapshot", "gozfsfx/fs@a", "-guid", "9909600919720690415", full); code != 0 || !strings.Contains(out, "token matches") {
		t.Errorf("matching snapshot: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, nil, "token", "-snapshot", "gozfsfx/fs@a", "-guid", "0x1", full); code != 1 || !strings.Contains(errOut, "toguid") {
		t.Errorf("other snapshot: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, nil, "token", "1-2-3"); code != 1 || !strings.Contains(errOut, "malformed") {
		t.Errorf("bad token: exit %d: %s", code, errOut)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"dump", "-nope"}, {"dump", "a", "b"}, {"token"}, {"token", "-guid", "1", "x"}} {
		if code, _, errOut := runCmd(t, nil, args...); code != 2 || !strings.Contains(errOut, "usage:") {
			t.Errorf("%q: exit %d: %s", args, code, errOut)
		}
	}
	if code, out, _ := runCmd(t, nil, "help"); code != 0 || !strings.Contains(out, "zstream verify") {
		t.Errorf("help: exit %d", code)
	}
	if len(summaryOrder) != 11 {
		t.Errorf("summaryOrder has %d types", len(summaryOrder))
	}
}
