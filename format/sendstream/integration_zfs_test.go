//go:build zfs

package sendstream_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/internal/ztest"
)

// receive runs `zfs receive args...` with stdin as its input and returns
// its error.
func receive(t *testing.T, stdin *sendstream.VerifyingReader, args ...string) error {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "zfs", append([]string{"receive"}, args...)...)
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err != nil {
		t.Logf("zfs receive %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return err
}

func exists(name string) bool {
	_, err := ztest.Try("zfs", "list", "-H", "-o", "name", name)
	return err == nil
}

// TestIntegrationVerifyingReaderIntoReceive sends real streams through a
// VerifyingReader into zfs receive: valid streams are received, damaged
// and truncated ones are not, and an interrupted resumable receive leaves a
// token that matches the snapshot.
func TestIntegrationVerifyingReaderIntoReceive(t *testing.T) {
	pool := ztest.NewPool(t, ztest.PoolOptions{})
	fs := pool.Name + "/src"
	ztest.Run(t, "zfs", "create", fs)
	mnt := filepath.Join(pool.AltRoot, pool.Name, "src")
	var text bytes.Buffer
	for i := 0; i < 20000; i++ {
		text.WriteString("line " + strconv.Itoa(i) + " of a file that compresses well\n")
	}
	if err := os.WriteFile(filepath.Join(mnt, "data.txt"), text.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ztest.Run(t, "zfs", "snapshot", fs+"@s")
	guid, err := strconv.ParseUint(strings.TrimSpace(ztest.Run(t, "zfs", "get", "-Hp", "-o", "value", "guid", fs+"@s")), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	stream := []byte(ztest.Run(t, "zfs", "send", fs+"@s"))

	sum, err := sendstream.Scan(bytes.NewReader(stream), sendstream.Options{})
	if err != nil || len(sum.Substreams) != 1 || sum.Substreams[0].Begin.ToGUID != guid {
		t.Fatalf("Scan = %+v, %v; snapshot guid %#x", sum, err, guid)
	}
	var mid int64 = -1
	for rec, err := range sendstream.NewReader(bytes.NewReader(stream), sendstream.Options{}).All() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == sendstream.TypeWrite && rec.Offset > int64(len(stream))/2 && mid < 0 {
			mid = rec.Offset + sendstream.HeaderSize + rec.PayloadLen/2
		}
	}
	if mid < 0 {
		t.Fatal("no WRITE record in the second half of the stream")
	}

	if err := receive(t, sendstream.NewVerifyingReader(bytes.NewReader(stream), sendstream.Options{}), pool.Name+"/ok"); err != nil {
		t.Fatalf("valid stream not received: %v", err)
	}
	if !exists(pool.Name + "/ok@s") {
		t.Fatal("received snapshot missing")
	}

	bad := bytes.Clone(stream)
	bad[mid] ^= 0x20
	if err := receive(t, sendstream.NewVerifyingReader(bytes.NewReader(bad), sendstream.Options{}), pool.Name+"/bad"); err == nil {
		t.Error("damaged stream received without error")
	}
	if exists(pool.Name + "/bad@s") {
		t.Error("damaged stream created a snapshot")
	}

	cut := stream[:mid]
	if err := receive(t, sendstream.NewVerifyingReader(bytes.NewReader(cut), sendstream.Options{}), "-s", pool.Name+"/part"); err == nil {
		t.Error("truncated stream received without error")
	}
	if exists(pool.Name + "/part@s") {
		t.Error("truncated stream created a snapshot")
	}
	tokStr := strings.TrimSpace(ztest.Run(t, "zfs", "get", "-H", "-o", "value", "receive_resume_token", pool.Name+"/part"))
	tok, err := resumetoken.Decode(tokStr)
	if err != nil {
		t.Fatalf("resume token %q: %v", tokStr, err)
	}
	if err := tok.Validate(fs+"@s", guid); err != nil {
		t.Errorf("token does not match the snapshot: %v", err)
	}
	if tok.Bytes == 0 || tok.Bytes > uint64(mid) {
		t.Errorf("token bytes = %d, stream cut at %d", tok.Bytes, mid)
	}

	// Resume with zfs send -t; the resumed stream verifies and completes
	// the receive.
	resumed := []byte(ztest.Run(t, "zfs", "send", "-t", tokStr))
	rs, err := sendstream.Scan(bytes.NewReader(resumed), sendstream.Options{})
	if err != nil || !rs.Substreams[0].Begin.Features.Has(sendstream.FeatureResuming) {
		t.Fatalf("resumed stream: %+v, %v", rs, err)
	}
	if err := receive(t, sendstream.NewVerifyingReader(bytes.NewReader(resumed), sendstream.Options{}), "-s", pool.Name+"/part"); err != nil {
		t.Fatalf("resumed stream not received: %v", err)
	}
	if !exists(pool.Name + "/part@s") {
		t.Error("resumed receive did not create the snapshot")
	}
}
