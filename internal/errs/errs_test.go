package errs_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/hashicorp/go-multierror"
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
			if got := errs.Append(tc.err, tc.errs...); got != nil {
				t.Errorf("Append = %#v, want untyped nil", got)
			}
		})
	}
}

func TestAppendSingle(t *testing.T) {
	e := errors.New("one")
	if got := errs.Append(nil, nil, e); got != e {
		t.Errorf("Append(nil, nil, e) = %v, want e itself", got)
	}
	if got := errs.Append(e, nil); got != e {
		t.Errorf("Append(e, nil) = %v, want e itself", got)
	}
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
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(batch, %v) = false", target)
		}
	}
	if errors.Is(err, errors.ErrPermission) {
		t.Errorf("errors.Is(batch, ErrPermission) = true")
	}
	var e *errors.Error
	if !errors.As(err, &e) || e.Name != "tank/a@1" {
		t.Errorf("errors.As finds %v, want the first failure", e)
	}
	list := errors.Errors(err)
	if len(list) != 3 || list[0] != busy || list[1] != missing || list[2] != invalid {
		t.Errorf("Errors = %v", list)
	}
	want := "3 errors: zfs destroy tank/a@1: dataset is busy; " +
		"zfs destroy tank/a@2: could not find any snapshots to destroy; check snapshot names; " +
		"zfs destroy tank/a@: invalid name: empty component"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}

	// Appending batches flattens them.
	other := errs.Append(errors.New("x"), errors.New("y"))
	if n := len(errors.Errors(errs.Append(err, other))); n != 5 {
		t.Errorf("flattened batch has %d errors, want 5", n)
	}
}

func TestResumable(t *testing.T) {
	const tok = "1-e604ea4bf-e0-789c63a2d0c4a0a6b0f0c0"
	stderr := "cannot receive incremental stream: checksum mismatch or incomplete stream.\n" +
		"Partially received snapshot is saved.\n" +
		"A resuming stream can be generated on the sending system by running:\n" +
		"    zfs send -t " + tok + "\n"
	err := errors.FromCommand("receive", "tank/b", exitErr(1, stderr, "receive", "-s", "tank/b"))
	var re *errors.ResumableError
	if !errors.As(err, &re) {
		t.Fatalf("FromCommand returned %T, want *ResumableError", err)
	}
	if re.Token != tok {
		t.Errorf("Token = %q, want %q", re.Token, tok)
	}
	var e *errors.Error
	if !errors.As(err, &e) || e.Kind != errors.Interrupted {
		t.Errorf("errors.As(*Error) failed or kind wrong: %v", e)
	}
	if !errors.Is(err, errors.ErrInterrupted) {
		t.Errorf("errors.Is(err, ErrInterrupted) = false")
	}
	want := "zfs receive tank/b: checksum mismatch or incomplete stream. Partially received snapshot is saved"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	// Interrupted wins over the context: the state is what matters.
	xe := exitErr(1, stderr, "receive", "-s", "tank/b")
	xe.Err = context.Canceled
	err = errors.FromCommand("receive", "tank/b", xe)
	if !errors.As(err, &re) || !errors.Is(err, context.Canceled) || errors.KindOf(err) != errors.Interrupted {
		t.Errorf("canceled resumable receive = %v (kind %v)", err, errors.KindOf(err))
	}

	// Partial state on the destination: a ResumableError without token.
	err = errors.FromCommand("receive", "tank/b", exitErr(1,
		"cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n"))
	if !errors.As(err, &re) || re.Token != "" || !errors.Is(err, errors.ErrResumableStatePresent) {
		t.Fatalf("partial state error = %#v", err)
	}
	// The caller fills in the token it reads from the property.
	err2 := errs.Resumable(err, tok)
	var re2 *errors.ResumableError
	if !errors.As(err2, &re2) || re2.Token != tok || re.Token != "" {
		t.Errorf("Resumable(ResumableError) = %v; original token %q", re2, re.Token)
	}
	// Resumable on a plain *Error (a receive killed by its context).
	canceled := errors.FromCommand("receive", "tank/b", &command.ExitError{Argv: []string{"zfs", "receive", "-s", "tank/b"}, Code: -1, Err: context.Canceled})
	err3 := errs.Resumable(canceled, tok)
	if !errors.As(err3, &re2) || re2.Token != tok || !errors.Is(err3, context.Canceled) {
		t.Errorf("Resumable(*Error) = %v", err3)
	}
	plain := errors.New("plain")
	if got := errs.Resumable(plain, tok); got != plain {
		t.Errorf("Resumable(plain) = %v, want it unchanged", got)
	}
	var zero errors.ResumableError
	if zero.Error() == "" || zero.Unwrap() != nil {
		t.Errorf("zero ResumableError: %q, %v", zero.Error(), zero.Unwrap())
	}
}

func TestNewfWraps(t *testing.T) {
	err := errs.Newf(errors.InvalidArgument, "send", "tank/a@s", "bad base: %w", fs.ErrNotExist)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, errors.ErrInvalidArgument) {
		t.Errorf("Newf with %%w does not match both: %v", err)
	}
	var e *errors.Error
	if !errors.As(err, &e) || e.ExitCode != -1 || e.Argv != nil {
		t.Errorf("Newf = %#v", e)
	}
}

func TestWithOp(t *testing.T) {
	orig := errs.InvalidNamef("", "tank/@", "empty component")
	err := errs.WithOp(orig, "destroy")
	if got, want := err.Error(), "zfs destroy tank/@: invalid name: empty component"; got != want {
		t.Errorf("WithOp: %q, want %q", got, want)
	}
	if got, want := orig.Error(), "zfs tank/@: invalid name: empty component"; got != want {
		t.Errorf("WithOp changed the original: %q", got)
	}
	if again := errs.WithOp(err, "other"); again != err {
		t.Errorf("WithOp replaced a set Op")
	}
	res := &errors.ResumableError{Token: "1-a-b-c", Err: &errors.Error{Kind: errors.Interrupted}}
	got := errs.WithOp(res, "receive")
	var re *errors.ResumableError
	if !errors.As(got, &re) || re.Err.Op != "receive" || re.Token != "1-a-b-c" || res.Err.Op != "" {
		t.Errorf("WithOp(ResumableError) = %#v", got)
	}
	plain := errors.New("x")
	if errs.WithOp(plain, "op") != plain {
		t.Errorf("WithOp changed a plain error")
	}
}

func exitErr(code int, stderr string, args ...string) *command.ExitError {
	return &command.ExitError{Argv: append([]string{"zfs"}, args...), Code: code, Stderr: stderr}
}
