package errors_test

import (
	"context"
	stderrors "errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exitErr builds the error a runner returns for a failed zfs command.
func exitErr(code int, stderr string, args ...string) *command.ExitError {
	return &command.ExitError{Argv: append([]string{"zfs"}, args...), Code: code, Stderr: stderr}
}

func TestFromCommandNil(t *testing.T) {
	require.NoError(t, errors.FromCommand("destroy", "tank/a", nil), "FromCommand(nil)")
}

func TestFromCommandExitError(t *testing.T) {
	xe := exitErr(1, "cannot destroy 'tank/a@x': dataset is busy\n", "destroy", "tank/a@x")
	err := errors.FromCommand("destroy", "tank/a@x", xe)
	var e *errors.Error
	require.ErrorAs(t, err, &e, "FromCommand")
	assert.Equal(t, "destroy", e.Op, "FromCommand = %#v", e)
	assert.Equal(t, "tank/a@x", e.Name, "FromCommand = %#v", e)
	assert.Equal(t, errors.Busy, e.Kind, "FromCommand = %#v", e)
	assert.Equal(t, 1, e.ExitCode, "FromCommand = %#v", e)
	assert.Equal(t, xe.Stderr, e.Stderr, "FromCommand = %#v", e)
	assert.Equal(t, "zfs destroy tank/a@x", strings.Join(e.Argv, " "), "FromCommand = %#v", e)
	assert.Equal(t, "zfs destroy tank/a@x: dataset is busy", err.Error(), "Error()")
	var got *command.ExitError
	if assert.ErrorAs(t, err, &got, "errors.As(*command.ExitError) did not find the cause") {
		assert.Same(t, xe, got, "errors.As(*command.ExitError) did not find the cause")
	}
	assert.ErrorIs(t, err, errors.ErrBusy, "errors.Is(err, ErrBusy) = false")
	assert.NotErrorIs(t, err, errors.ErrNotExist, "busy error matches ErrNotExist")
	assert.NotErrorIs(t, err, fs.ErrNotExist, "busy error matches ErrNotExist")
}

func TestFromCommandPassThrough(t *testing.T) {
	orig := errors.FromCommand("list", "tank", exitErr(1, "cannot open 'tank': no such pool\n", "list", "tank"))
	assert.Same(t, orig, errors.FromCommand("other", "x", orig), "FromCommand(*Error) must return the same error")
	res := errors.FromCommand("receive", "tank/b", exitErr(1, "cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n"))
	assert.Same(t, res, errors.FromCommand("other", "x", res), "FromCommand(*ResumableError) must return the same error")
}

func TestFromCommandContext(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		t.Run(cause.Error(), func(t *testing.T) {
			xe := &command.ExitError{Argv: []string{"zfs", "send", "tank/a@s"}, Code: -1, Err: cause}
			err := errors.FromCommand("send", "tank/a@s", xe)
			assert.ErrorIs(t, err, cause, "errors.Is(err, %v) = false", cause)
			assert.ErrorIs(t, err, errors.ErrCanceled, "errors.Is(err, ErrCanceled) = false")
			assert.Equal(t, errors.Canceled, errors.KindOf(err), "KindOf")
			want := "zfs send tank/a@s: " + cause.Error()
			assert.Equal(t, want, err.Error(), "Error()")
		})
	}
	// A bare context error, as a runner might return before starting anything.
	err := errors.FromCommand("list", "", context.Canceled)
	assert.ErrorIs(t, err, context.Canceled, "FromCommand(context.Canceled)")
	assert.Equal(t, errors.Canceled, errors.KindOf(err), "FromCommand(context.Canceled)")
	// Stderr from a killed command does not hide the cancellation.
	xe := &command.ExitError{Argv: []string{"zfs", "destroy", "tank/a"}, Code: -1,
		Stderr: "cannot destroy 'tank/a': dataset is busy\n", Err: context.Canceled}
	assert.Equal(t, errors.Canceled, errors.KindOf(errors.FromCommand("destroy", "tank/a", xe)), "kind of a canceled command with stderr")
}

func TestFromCommandStartFailure(t *testing.T) {
	_, lookErr := exec.LookPath("gozfs-no-such-program")
	if lookErr == nil {
		t.Skip("found a program that should not exist")
	}
	err := errors.FromCommand("list", "", lookErr)
	assert.Equal(t, errors.CommandNotFound, errors.KindOf(err), "kind")
	assert.ErrorIs(t, err, errors.ErrCommandNotFound, "start failure does not match ErrCommandNotFound and exec.ErrNotFound")
	assert.ErrorIs(t, err, exec.ErrNotFound, "start failure does not match ErrCommandNotFound and exec.ErrNotFound")
	pe := &fs.PathError{Op: "fork/exec", Path: "/nonexistent/zfs", Err: fs.ErrNotExist}
	err = errors.FromCommand("list", "", &command.ExitError{Argv: []string{"/nonexistent/zfs", "list"}, Code: -1, Err: pe})
	assert.Equal(t, errors.CommandNotFound, errors.KindOf(err), "kind for fork/exec ENOENT")
	assert.Equal(t, "zfs list: command not found: fork/exec /nonexistent/zfs: file does not exist", err.Error(), "Error()")
	pe = &fs.PathError{Op: "fork/exec", Path: "/bin/zfs", Err: fs.ErrPermission}
	err = errors.FromCommand("list", "", &command.ExitError{Argv: []string{"/bin/zfs", "list"}, Code: -1, Err: pe})
	assert.Equal(t, errors.Permission, errors.KindOf(err), "kind for fork/exec EACCES")
}

func TestFromCommandOther(t *testing.T) {
	cause := stderrors.New("pipe broke")
	err := errors.FromCommand("send", "tank/a@s", cause)
	assert.ErrorIs(t, err, cause, "FromCommand(other)")
	assert.Equal(t, errors.Other, errors.KindOf(err), "FromCommand(other)")
	assert.Equal(t, "zfs send tank/a@s: pipe broke", err.Error(), "Error()")
	// Unknown stderr: the message keeps zfs's own words.
	err = errors.FromCommand("frob", "tank/a", exitErr(1, "cannot frob 'tank/a': something odd\n"))
	assert.Equal(t, "zfs frob tank/a: something odd", err.Error(), "Error()")
	// Non-zero exit with nothing on stderr.
	err = errors.FromCommand("frob", "tank/a", exitErr(3, ""))
	assert.Equal(t, "zfs frob tank/a: exit status 3", err.Error(), "Error()")
}

func TestIsStandardSentinels(t *testing.T) {
	tests := []struct {
		stderr string
		target error
		want   bool
	}{
		{"cannot open 'tank/x': dataset does not exist\n", fs.ErrNotExist, true},
		{"cannot open 'tank/x': dataset does not exist\n", errors.ErrNotExist, true},
		{"cannot open 'tank/x': dataset does not exist\n", fs.ErrExist, false},
		{"cannot create 'tank/a': dataset already exists\n", fs.ErrExist, true},
		{"cannot create 'tank/a': dataset already exists\n", errors.ErrExist, true},
		{"cannot create 'tank/a': permission denied\n", fs.ErrPermission, true},
		{"cannot create 'tank/a': permission denied\n", errors.ErrPermission, true},
		{"cannot receive new filesystem stream: pool must be upgraded to receive this stream.\n", errors.ErrUnsupported, true},
		{"cannot receive new filesystem stream: pool must be upgraded to receive this stream.\n", stderrors.ErrUnsupported, true},
		{"cannot receive new filesystem stream: pool must be upgraded to receive this stream.\n", errors.ErrNotSupported, true},
		{"cannot destroy 'tank/a': dataset is busy\n", fs.ErrPermission, false},
		// Refinements match the coarser sentinel.
		{"cannot destroy snapshot tank/a@s: it's being held. Run 'zfs holds -r tank/a@s' to see holders.\n", errors.ErrHeld, true},
		{"cannot destroy snapshot tank/a@s: it's being held. Run 'zfs holds -r tank/a@s' to see holders.\n", errors.ErrBusy, true},
		{"cannot destroy 'tank/a': dataset is busy\n", errors.ErrHeld, false},
		{"cannot destroy 'tank/a': filesystem has children\n", errors.ErrHasChildren, true},
		{"cannot destroy 'tank/a': filesystem has children\n", errors.ErrHasDependents, true},
		{"cannot destroy 'tank/a': filesystem has children\n", errors.ErrHasClones, false},
		{"cannot destroy 'tank/a': filesystem has dependent clones\n", errors.ErrHasDependents, true},
		{"cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n", errors.ErrBusy, true},
		{"cannot frob: odd\n", errors.ErrBusy, false},
	}
	for _, tc := range tests {
		err := errors.FromCommand("op", "tank/a", exitErr(1, tc.stderr))
		assert.Equal(t, tc.want, errors.Is(err, tc.target), "errors.Is(FromCommand(%q), %v)", tc.stderr, tc.target)
	}
}

func TestSentinels(t *testing.T) {
	for k := errors.Kind(1); k.Err() != nil; k++ {
		s := k.Err()
		assert.ErrorIs(t, s, s, "sentinel")
		assert.Equal(t, "zfs: "+k.String(), s.Error(), "sentinel message")
		assert.Equal(t, k, errors.KindOf(s), "KindOf(%v)", s)
		e := &errors.Error{Kind: k}
		assert.ErrorIs(t, e, s, "*Error of kind %v does not match %v", k, s)
		assert.Equal(t, k == errors.NotExist, errors.Is(e, errors.ErrNotExist), "*Error of kind %v: Is(ErrNotExist) wrong", k)
	}
	assert.NoError(t, errors.Other.Err(), "Other.Err()")
	assert.ErrorIs(t, errors.ErrNotExist, fs.ErrNotExist, "sentinels map to fs sentinels wrongly")
	assert.NotErrorIs(t, errors.ErrBusy, fs.ErrNotExist, "sentinels map to fs sentinels wrongly")
	assert.ErrorIs(t, errors.ErrHeld, errors.ErrBusy, "ErrHeld/ErrBusy refinement wrong")
	assert.NotErrorIs(t, errors.ErrBusy, errors.ErrHeld, "ErrHeld/ErrBusy refinement wrong")
	assert.ErrorIs(t, errors.ErrDiverged, errors.ErrStreamMismatch, "ErrDiverged/ErrStreamMismatch refinement wrong")
	assert.NotErrorIs(t, errors.ErrStreamMismatch, errors.ErrDiverged, "ErrDiverged/ErrStreamMismatch refinement wrong")
	assert.NotErrorIs(t, &errors.Error{Kind: errors.Other}, errors.ErrBusy, "Kind Other matches ErrBusy")
	assert.Equal(t, "kind(200)", errors.Kind(200).String(), "unknown kind String()")
	assert.Equal(t, errors.Other, errors.KindOf(nil), "KindOf of nil or plain error is not Other")
	assert.Equal(t, errors.Other, errors.KindOf(stderrors.New("x")), "KindOf of nil or plain error is not Other")
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errs.InvalidNamef("snapshot", "tank/a@", "empty component"), "zfs snapshot tank/a@: invalid name: empty component"},
		{errs.InvalidArgumentf("send", "tank/a@s", "raw and compressed are exclusive"), "zfs send tank/a@s: invalid argument: raw and compressed are exclusive"},
		{errs.Newf(errors.NotSupported, "zpool wait", "tank", "needs OpenZFS %d.%d", 2, 2), "zpool wait tank: not supported: needs OpenZFS 2.2"},
		{errs.InvalidNamef("create", "tank/a b\n", "invalid character"), `zfs create "tank/a b\n": invalid name: invalid character`},
		{&errors.Error{Op: "create", Name: "tank", Argv: []string{"/sbin/zpool", "create", "tank"}, Stderr: "cannot create 'tank': pool already exists\n"}, "zpool create tank: pool already exists"},
		{&errors.Error{Kind: errors.Busy}, "zfs: busy"},
		{&errors.Error{Op: "zfs", Kind: errors.Busy}, "zfs: busy"},
		{&errors.Error{Op: "destroy", Name: "tank/a", Kind: errors.NotExist, Argv: []string{"zfs"}, Stderr: "cannot open 'tank': no such pool\n"}, "zfs destroy tank/a: tank: no such pool"},
		{&errors.Error{Op: "destroy", Name: "tank/a", Err: &command.ExitError{Code: -1}}, "zfs destroy tank/a: killed"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.err.Error(), "Error()")
	}
}

func TestStdReexports(t *testing.T) {
	a := errors.New("a")
	b := fmt.Errorf("b: %w", a)
	// These call the re-exports themselves, not testify's std-based checks.
	assert.True(t, errors.Is(b, a), "Is re-export broken")
	assert.Same(t, a, errors.Unwrap(b), "Unwrap re-export broken")
	j := errors.Join(a, nil)
	assert.True(t, errors.Is(j, a), "Join re-export broken")
	assert.NoError(t, errors.Join(nil, nil), "Join re-export broken")
	var pe *fs.PathError
	assert.False(t, errors.As(b, &pe), "As found a PathError that is not there")
	assert.Same(t, stderrors.ErrUnsupported, errors.ErrUnsupported, "ErrUnsupported is not the standard one")
}

func TestFromCommandRemoteNotFound(t *testing.T) {
	xe := &command.ExitError{Argv: []string{"zfs", "list"}, Code: 127, Stderr: "sh: 1: zfs: not found\n", Err: exec.ErrNotFound}
	err := errors.FromCommand("list", "", xe)
	assert.Equal(t, errors.CommandNotFound, errors.KindOf(err), "FromCommand(remote 127)")
	assert.ErrorIs(t, err, errors.ErrCommandNotFound, "FromCommand(remote 127)")
}

// TestResumableErrorMatchesInterrupted: every receive that stopped part-way
// and saved its state matches ErrInterrupted, whatever stopped it; state
// found on the destination does not.
func TestResumableErrorMatchesInterrupted(t *testing.T) {
	for _, tc := range []struct {
		kind        errors.Kind
		interrupted bool
	}{
		{errors.Interrupted, true},
		{errors.Canceled, true},
		{errors.InvalidStream, true},
		{errors.ResumableStatePresent, false},
	} {
		err := error(&errors.ResumableError{Token: "1-x", Err: &errors.Error{Op: "receive", Kind: tc.kind, Err: context.Canceled}})
		assert.Equal(t, tc.interrupted, errors.Is(err, errors.ErrInterrupted), "%v: Is(ErrInterrupted)", tc.kind)
		assert.ErrorIs(t, err, tc.kind.Err(), "%v: does not match its own kind", tc.kind)
		assert.Equal(t, tc.kind, errors.KindOf(err), "%v: KindOf", tc.kind)
	}
}
