package replication_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/zfs"
)

// side builds the text listing (`zfs list -H -p`) of one side of a
// replication for the fake runner, row by row, in zfs's order.
type side struct {
	t      testing.TB
	target bool
	rows   []string
	txg    uint64
}

func newSide(t testing.TB, target bool) *side { return &side{t: t, target: target, txg: 100} }

func (s *side) row(name, typ string, guid uint64, extra ...string) {
	s.txg++
	cols := []string{name, typ, fmt.Sprint(guid), fmt.Sprint(s.txg), "1700000000"}
	if s.target {
		// receive_resume_token, written, gozfs:placeholder
		def := []string{"-", "0", "-"}
		if typ == "snapshot" || typ == "bookmark" {
			def = []string{"-", "4096", "-"}
		}
		copy(def, extra)
		cols = append(cols, def...)
	} else {
		def := []string{"-"}
		if typ == "snapshot" {
			def = []string{"0"}
		}
		copy(def, extra)
		cols = append(cols, def...)
	}
	s.rows = append(s.rows, strings.Join(cols, "\t"))
}

// fs adds a filesystem; extra are the property columns (token, written,
// placeholder on the target).
func (s *side) fs(name string, extra ...string) *side {
	s.row(name, "filesystem", uint64(len(name))*7919, extra...)
	return s
}

func (s *side) vol(name string) *side { s.row(name, "volume", 77, ""); return s }

// snaps adds snapshots @<name> whose GUIDs are the given numbers.
func (s *side) snaps(ds string, guids ...uint64) *side {
	for _, g := range guids {
		s.row(fmt.Sprintf("%s@s%d", ds, g), "snapshot", g)
	}
	return s
}

func (s *side) snap(name string, guid uint64, extra ...string) *side {
	s.row(name, "snapshot", guid, extra...)
	return s
}

func (s *side) bm(name string, guid uint64) *side { s.row(name, "bookmark", guid); return s }

func (s *side) String() string { return strings.Join(s.rows, "\n") + "\n" }

// client returns a fake client answering the planning listing of root.
func (s *side) client(root string, recursive bool) *zfs.Client {
	c, _ := s.fake(root, recursive)
	return c
}

// fake returns a client answering the planning listing of root first, and
// its fake for the commands that follow.
func (s *side) fake(root string, recursive bool) (*zfs.Client, *commandtest.Fake) {
	f := commandtest.New(s.t).InOrder()
	cols := sourceCols
	if s.target {
		cols = targetCols
	}
	f.Expect(listArgv(false, recursive, cols, root)...).Stdout(s.String())
	return zfs.New(zfs.ClientOptions{Runner: f, Version: v232, TextOutput: true}), f
}

// missing returns a fake client whose listing of root says it does not
// exist.
func missing(t testing.TB, root string, target, recursive bool) *zfs.Client {
	f := commandtest.New(t)
	cols := sourceCols
	if target {
		cols = targetCols
	}
	f.Expect(listArgv(false, recursive, cols, root)...).
		Stderr(fmt.Sprintf("cannot open '%s': dataset does not exist\n", root)).Exit(1)
	return zfs.New(zfs.ClientOptions{Runner: f, Version: v232, TextOutput: true})
}

// token returns a resume token for toguid (from fromguid, 0 for full).
func token(t testing.TB, toname string, toguid, fromguid uint64) string {
	tok, err := (&resumetoken.Token{ToGUID: toguid, FromGUID: fromguid, ToName: toname, Object: 5, Offset: 1 << 20, Bytes: 3 << 20}).Encode()
	require.NoError(t, err)
	return tok
}
