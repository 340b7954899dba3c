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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name+".zsend")
	out, err := os.Create(path)
	require.NoError(t, err)
	defer out.Close()
	_, err = io.Copy(out, zr)
	require.NoError(t, err)
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
			require.Equal(t, 0, code, "exit code: %s", errOut)
			want, err := os.ReadFile(filepath.Join(streamDir, name+".dump"))
			require.NoError(t, err)
			// Every SUMMARY line of zstream dump appears in ours.
			sc := bufio.NewScanner(bytes.NewReader(want))
			inSummary := false
			for sc.Scan() {
				line := sc.Text()
				if line == "SUMMARY:" {
					inSummary = true
				}
				if inSummary {
					assert.Contains(t, out, line+"\n", "missing %q", line)
				}
			}
			require.True(t, inSummary, "no SUMMARY in zstream dump output")
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
			require.Equal(t, 0, code, "exit code: %s", errOut)
			want, err := exec.Command(zstream, "dump", "-vv", path).Output()
			require.NoError(t, err)
			got, wantLines := records(out), records(string(want))
			require.NotEmpty(t, got, "record lines")
			require.Equal(t, len(wantLines), len(got), "record lines (zstream prints %d)", len(wantLines))
			for i := range got {
				require.Equal(t, wantLines[i], got[i], "line %d", i)
			}
		})
	}
}

func TestDumpJSON(t *testing.T) {
	code, out, errOut := runCmd(t, nil, "dump", "-json", fixture(t, "replicate-R"))
	require.Equal(t, 0, code, "exit code: %s", errOut)
	var s jsonSummary
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.True(t, s.Complete, "summary = %+v", s)
	if assert.NotNil(t, s.Compound, "summary = %+v", s) {
		assert.NotNil(t, s.Compound.NVList, "summary = %+v", s)
	}
	if assert.Len(t, s.Substreams, 4, "summary = %+v", s) {
		assert.Equal(t, "gozfsfx/fs/child@c", s.Substreams[3].ToName, "summary = %+v", s)
	}
	assert.EqualValues(t, 5, s.Records["BEGIN"], "summary = %+v", s)
}

func TestDumpStdinAndErrors(t *testing.T) {
	data, err := os.ReadFile(fixture(t, "incremental"))
	require.NoError(t, err)
	code, out, _ := runCmd(t, bytes.NewReader(data), "dump", "-")
	assert.Equal(t, 0, code, "dump from stdin: exit code")
	assert.Contains(t, out, "SUBSTREAM 0 gozfsfx/fs@b", "dump from stdin")
	code, out, errOut := runCmd(t, bytes.NewReader(data[:len(data)-100]), "dump")
	assert.Equal(t, 1, code, "truncated dump: exit code")
	assert.Contains(t, errOut, "truncated", "truncated dump")
	assert.Contains(t, out, "Stream is incomplete", "truncated dump")
}

func TestVerify(t *testing.T) {
	path := fixture(t, "replicate-R")
	code, out, errOut := runCmd(t, nil, "verify", path)
	assert.Equal(t, 0, code, "exit code: %s", errOut)
	assert.True(t, strings.HasPrefix(out, "ok: compound stream, 4 substreams"), "output %q", out)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)/2] ^= 0x40
	code, _, errOut = runCmd(t, bytes.NewReader(data), "verify")
	assert.Equal(t, 1, code, "corrupt stream: exit code")
	assert.Contains(t, errOut, "checksum mismatch", "corrupt stream")
}

func TestToken(t *testing.T) {
	toks, err := os.ReadFile(filepath.Join(tokenDir, "tokens.txt"))
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(toks)), "\n") {
		label, tok, _ := strings.Cut(line, " ")
		want, err := os.ReadFile(filepath.Join(tokenDir, label+".zstream-token"))
		require.NoError(t, err)
		code, out, errOut := runCmd(t, nil, "token", tok)
		assert.Equal(t, 0, code, "%s: exit code: %s", label, errOut)
		assert.Equal(t, string(want), out, "%s: output, want zstream token's", label)
	}
	full := strings.Fields(strings.Split(string(toks), "\n")[0])[1]
	code, out, _ := runCmd(t, strings.NewReader(full+"\n"), "token", "-json", "-")
	assert.Equal(t, 0, code, "token -json from stdin: exit code")
	assert.Contains(t, out, `"toname": "gozfsfx/fs@a"`, "token -json from stdin")
	code, out, _ = runCmd(t, nil, "token", "-snapshot", "gozfsfx/fs@a", "-guid", "9909600919720690415", full)
	assert.Equal(t, 0, code, "matching snapshot: exit code")
	assert.Contains(t, out, "token matches", "matching snapshot")
	code, _, errOut := runCmd(t, nil, "token", "-snapshot", "gozfsfx/fs@a", "-guid", "0x1", full)
	assert.Equal(t, 1, code, "other snapshot: exit code")
	assert.Contains(t, errOut, "toguid", "other snapshot")
	code, _, errOut = runCmd(t, nil, "token", "1-2-3")
	assert.Equal(t, 1, code, "bad token: exit code")
	assert.Contains(t, errOut, "malformed", "bad token")
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"dump", "-nope"}, {"dump", "a", "b"}, {"token"}, {"token", "-guid", "1", "x"}} {
		code, _, errOut := runCmd(t, nil, args...)
		assert.Equal(t, 2, code, "%q: exit code", args)
		assert.Contains(t, errOut, "usage:", "%q", args)
	}
	code, out, _ := runCmd(t, nil, "help")
	assert.Equal(t, 0, code, "help: exit code")
	assert.Contains(t, out, "zstream verify", "help")
	assert.Len(t, summaryOrder, 11, "summaryOrder types")
}
