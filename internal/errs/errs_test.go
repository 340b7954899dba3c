package errs_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendNil(t *testing.T) {
	var typedNil *multierror.Error
	tests := []struct {
		name string
		err  error
		errs []error
	}{
		{"nothing", nil, nil},
		{"nils", nil, []error{nil, nil}},
		{"typed nil base", typedNil, []error{nil}},
		{"typed nil element", nil, []error{typedNil}},
		{"empty multierror", &multierror.Error{}, []error{&multierror.Error{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.NoError(t, errs.Append(tc.err, tc.errs...), "Append")
		})
	}
}

func TestAppendSingle(t *testing.T) {
	e := errors.New("one")
	assert.Same(t, e, errs.Append(nil, nil, e), "Append(nil, nil, e) must return e itself")
	assert.Same(t, e, errs.Append(e, nil), "Append(e, nil) must return e itself")
}

func TestAppendMatchable(t *testing.T) {
	busy := errors.FromCommand("destroy", "tank/a@1", &command.ExitError{
		Argv: []string{"zfs", "destroy", "tank/a@1"}, Code: 1,
		Stderr: "cannot destroy snapshot tank/a@1: dataset is busy\n"})
	missing := errors.FromCommand("destroy", "tank/a@2", &command.ExitError{
		Argv: []string{"zfs", "destroy", "tank/a@2"}, Code: 1,
		Stderr: "could not find any snapshots to destroy; check snapshot names.\n"})
	invalid := errs.InvalidNamef("destroy", "tank/a@", "empty component")

	var err error
	for _, e := range []error{nil, busy, nil, missing} {
		err = errs.Append(err, e)
	}
	err = errs.Append(err, invalid)

	for _, target := range []error{errors.ErrBusy, errors.ErrNotExist, fs.ErrNotExist, errors.ErrInvalidName} {
		assert.ErrorIs(t, err, target, "batch")
	}
	assert.NotErrorIs(t, err, errors.ErrPermission, "batch")
	var e *errors.Error
	if assert.ErrorAs(t, err, &e) {
		assert.Equal(t, "tank/a@1", e.Name, "errors.As must find the first failure")
	}
	list := errors.Errors(err)
	if assert.Len(t, list, 3, "Errors") {
		assert.Same(t, busy, list[0], "Errors[0]")
		assert.Same(t, missing, list[1], "Errors[1]")
		assert.Same(t, invalid, list[2], "Errors[2]")
	}
	want := "3 errors: zfs destroy tank/a@1: dataset is busy; " +
		"zfs destroy tank/a@2: could not find any snapshots to destroy; check snapshot names; " +
		"zfs destroy tank/a@: invalid name: empty component"
	assert.Equal(t, want, err.Error(), "Error()")

	// Appending batches flattens them.
	other := errs.Append(errors.New("x"), errors.New("y"))
	assert.Len(t, errors.Errors(errs.Append(err, other)), 5, "flattened batch")
}

func TestResumable(t *testing.T) {
	const tok = "1-e604ea4bf-e0-789c63a2d0c4a0a6b0f0c0"
	stderr := "cannot receive incremental stream: checksum mismatch or incomplete stream.\n" +
		"Partially received snapshot is saved.\n" +
		"A resuming stream can be generated on the sending system by running:\n" +
		"    zfs send -t " + tok + "\n"
	err := errors.FromCommand("receive", "tank/b", exitErr(1, stderr, "receive", "-s", "tank/b"))
	var re *errors.ResumableError
	require.ErrorAs(t, err, &re, "FromCommand")
	assert.Equal(t, tok, re.Token, "Token")
	var e *errors.Error
	if assert.ErrorAs(t, err, &e) {
		assert.Equal(t, errors.Interrupted, e.Kind, "kind of %v", e)
	}
	assert.ErrorIs(t, err, errors.ErrInterrupted, "errors.Is(err, ErrInterrupted) = false")
	want := "zfs receive tank/b: checksum mismatch or incomplete stream. Partially received snapshot is saved"
	assert.Equal(t, want, err.Error(), "Error()")

	// Interrupted wins over the context: the state is what matters.
	xe := exitErr(1, stderr, "receive", "-s", "tank/b")
	xe.Err = context.Canceled
	err = errors.FromCommand("receive", "tank/b", xe)
	if assert.ErrorAs(t, err, &re, "canceled resumable receive") {
		assert.ErrorIs(t, err, context.Canceled, "canceled resumable receive")
		assert.Equal(t, errors.Interrupted, errors.KindOf(err), "canceled resumable receive")
	}

	// Partial state on the destination: a ResumableError without token.
	err = errors.FromCommand("receive", "tank/b", exitErr(1,
		"cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n"))
	require.ErrorAs(t, err, &re, "partial state error")
	require.Empty(t, re.Token, "partial state error")
	require.ErrorIs(t, err, errors.ErrResumableStatePresent, "partial state error")
	// The caller fills in the token it reads from the property.
	err2 := errs.Resumable(err, tok)
	var re2 *errors.ResumableError
	if assert.ErrorAs(t, err2, &re2, "Resumable(ResumableError)") {
		assert.Equal(t, tok, re2.Token, "Resumable(ResumableError) = %v", re2)
		assert.Empty(t, re.Token, "Resumable(ResumableError) changed the original token")
	}
	// Resumable on a plain *Error (a receive killed by its context).
	canceled := errors.FromCommand("receive", "tank/b", &command.ExitError{Argv: []string{"zfs", "receive", "-s", "tank/b"}, Code: -1, Err: context.Canceled})
	err3 := errs.Resumable(canceled, tok)
	if assert.ErrorAs(t, err3, &re2, "Resumable(*Error)") {
		assert.Equal(t, tok, re2.Token, "Resumable(*Error)")
		assert.ErrorIs(t, err3, context.Canceled, "Resumable(*Error)")
	}
	plain := errors.New("plain")
	assert.Same(t, plain, errs.Resumable(plain, tok), "Resumable(plain) must return it unchanged")
	var zero errors.ResumableError
	if assert.NotEmpty(t, zero.Error(), "zero ResumableError") {
		assert.NoError(t, zero.Unwrap(), "zero ResumableError")
	}
}

func TestNewfWraps(t *testing.T) {
	err := errs.Newf(errors.InvalidArgument, "send", "tank/a@s", "bad base: %w", fs.ErrNotExist)
	assert.ErrorIs(t, err, fs.ErrNotExist, "Newf with %w does not match both")
	assert.ErrorIs(t, err, errors.ErrInvalidArgument, "Newf with %w does not match both")
	var e *errors.Error
	if assert.ErrorAs(t, err, &e, "Newf") {
		assert.Equal(t, -1, e.ExitCode, "Newf = %#v", e)
		assert.Nil(t, e.Argv, "Newf = %#v", e)
	}
}

func TestWithOp(t *testing.T) {
	orig := errs.InvalidNamef("", "tank/@", "empty component")
	err := errs.WithOp(orig, "destroy")
	assert.Equal(t, "zfs destroy tank/@: invalid name: empty component", err.Error(), "WithOp")
	assert.Equal(t, "zfs tank/@: invalid name: empty component", orig.Error(), "WithOp changed the original")
	assert.Same(t, err, errs.WithOp(err, "other"), "WithOp replaced a set Op")
	res := &errors.ResumableError{Token: "1-a-b-c", Err: &errors.Error{Kind: errors.Interrupted}}
	got := errs.WithOp(res, "receive")
	var re *errors.ResumableError
	if assert.ErrorAs(t, got, &re, "WithOp(ResumableError)") {
		assert.Equal(t, "receive", re.Err.Op, "WithOp(ResumableError)")
		assert.Equal(t, "1-a-b-c", re.Token, "WithOp(ResumableError)")
		assert.Empty(t, res.Err.Op, "WithOp(ResumableError)")
	}
	plain := errors.New("x")
	assert.Same(t, plain, errs.WithOp(plain, "op"), "WithOp changed a plain error")
}

func exitErr(code int, stderr string, args ...string) *command.ExitError {
	return &command.ExitError{Argv: append([]string{"zfs"}, args...), Code: code, Stderr: stderr}
}
