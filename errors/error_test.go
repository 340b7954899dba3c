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
)

// exitErr builds the error a runner returns for a failed zfs command.
func exitErr(code int, stderr string, args ...string) *command.ExitError {
	return &command.ExitError{Argv: append([]string{"zfs"}, args...), Code: code, Stderr: stderr}
}

func TestFromCommandNil(t *testing.T) {
	if err := errors.FromCommand("destroy", "tank/a", nil); err != nil {
		t.Fatalf("FromCommand(nil) = %v, want nil", err)
	}
}

func TestFromCommandExitError(t *testing.T) {
	xe := exitErr(1, "cannot destroy 'tank/a@x': dataset is busy\n", "destroy", "tank/a@x")
	err := errors.FromCommand("destroy", "tank/a@x", xe)
	var e *errors.Error
	if !errors.As(err, &e) {
		t.Fatalf("FromCommand returned %T, want *errors.Error", err)
	}
	if e.Op != "destroy" || e.Name != "tank/a@x" || e.Kind != errors.Busy || e.ExitCode != 1 ||
		e.Stderr != xe.Stderr || strings.Join(e.Argv, " ") != "zfs destroy tank/a@x" {
		t.Errorf("FromCommand = %#v", e)
	}
	if got, want := err.Error(), "zfs destroy tank/a@x: dataset is busy"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var got *command.ExitError
	if !errors.As(err, &got) || got != xe {
		t.Errorf("errors.As(*command.ExitError) did not find the cause")
	}
	if !errors.Is(err, errors.ErrBusy) {
		t.Errorf("errors.Is(err, ErrBusy) = false")
	}
	if errors.Is(err, errors.ErrNotExist) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("busy error matches ErrNotExist")
	}
}

func TestFromCommandPassThrough(t *testing.T) {
	orig := errors.FromCommand("list", "tank", exitErr(1, "cannot open 'tank': no such pool\n", "list", "tank"))
	if got := errors.FromCommand("other", "x", orig); got != orig {
		t.Errorf("FromCommand(*Error) = %v, want the same error", got)
	}
	res := errors.FromCommand("receive", "tank/b", exitErr(1, "cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n"))
	if got := errors.FromCommand("other", "x", res); got != res {
		t.Errorf("FromCommand(*ResumableError) = %v, want the same error", got)
	}
}

func TestFromCommandContext(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		t.Run(cause.Error(), func(t *testing.T) {
			xe := &command.ExitError{Argv: []string{"zfs", "send", "tank/a@s"}, Code: -1, Err: cause}
			err := errors.FromCommand("send", "tank/a@s", xe)
			if !errors.Is(err, cause) {
				t.Errorf("errors.Is(err, %v) = false", cause)
			}
			if !errors.Is(err, errors.ErrCanceled) {
				t.Errorf("errors.Is(err, ErrCanceled) = false")
			}
			if k := errors.KindOf(err); k != errors.Canceled {
				t.Errorf("KindOf = %v, want Canceled", k)
			}
			want := "zfs send tank/a@s: " + cause.Error()
			if got := err.Error(); got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
	// A bare context error, as a runner might return before starting anything.
	err := errors.FromCommand("list", "", context.Canceled)
	if !errors.Is(err, context.Canceled) || errors.KindOf(err) != errors.Canceled {
		t.Errorf("FromCommand(context.Canceled) = %v (kind %v)", err, errors.KindOf(err))
	}
	// Stderr from a killed command does not hide the cancellation.
	xe := &command.ExitError{Argv: []string{"zfs", "destroy", "tank/a"}, Code: -1,
		Stderr: "cannot destroy 'tank/a': dataset is busy\n", Err: context.Canceled}
	if k := errors.KindOf(errors.FromCommand("destroy", "tank/a", xe)); k != errors.Canceled {
		t.Errorf("kind of a canceled command with stderr = %v, want Canceled", k)
	}
}

func TestFromCommandStartFailure(t *testing.T) {
	_, lookErr := exec.LookPath("gozfs-no-such-program")
	if lookErr == nil {
		t.Skip("found a program that should not exist")
	}
	err := errors.FromCommand("list", "", lookErr)
	if k := errors.KindOf(err); k != errors.CommandNotFound {
		t.Errorf("kind = %v, want CommandNotFound", k)
	}
	if !errors.Is(err, errors.ErrCommandNotFound) || !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("start failure does not match ErrCommandNotFound and exec.ErrNotFound: %v", err)
	}
	pe := &fs.PathError{Op: "fork/exec", Path: "/nonexistent/zfs", Err: fs.ErrNotExist}
	err = errors.FromCommand("list", "", &command.ExitError{Argv: []string{"/nonexistent/zfs", "list"}, Code: -1, Err: pe})
	if k := errors.KindOf(err); k != errors.CommandNotFound {
		t.Errorf("kind for fork/exec ENOENT = %v, want CommandNotFound", k)
	}
	if got, want := err.Error(), "zfs list: command not found: fork/exec /nonexistent/zfs: file does not exist"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	pe = &fs.PathError{Op: "fork/exec", Path: "/bin/zfs", Err: fs.ErrPermission}
	err = errors.FromCommand("list", "", &command.ExitError{Argv: []string{"/bin/zfs", "list"}, Code: -1, Err: pe})
	if k := errors.KindOf(err); k != errors.Permission {
		t.Errorf("kind for fork/exec EACCES = %v, want Permission", k)
	}
}

func TestFromCommandOther(t *testing.T) {
	cause := stderrors.New("pipe broke")
	err := errors.FromCommand("send", "tank/a@s", cause)
	if !errors.Is(err, cause) || errors.KindOf(err) != errors.Other {
		t.Errorf("FromCommand(other) = %v (kind %v)", err, errors.KindOf(err))
	}
	if got, want := err.Error(), "zfs send tank/a@s: pipe broke"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Unknown stderr: the message keeps zfs's own words.
	err = errors.FromCommand("frob", "tank/a", exitErr(1, "cannot frob 'tank/a': something odd\n"))
	if got, want := err.Error(), "zfs frob tank/a: something odd"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Non-zero exit with nothing on stderr.
	err = errors.FromCommand("frob", "tank/a", exitErr(3, ""))
	if got, want := err.Error(), "zfs frob tank/a: exit status 3"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
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
		if got := errors.Is(err, tc.target); got != tc.want {
			t.Errorf("errors.Is(FromCommand(%q), %v) = %v, want %v", tc.stderr, tc.target, got, tc.want)
		}
	}
}

func TestSentinels(t *testing.T) {
	for k := errors.Kind(1); k.Err() != nil; k++ {
		s := k.Err()
		if !errors.Is(s, s) {
			t.Errorf("sentinel %v does not match itself", s)
		}
		if got, want := s.Error(), "zfs: "+k.String(); got != want {
			t.Errorf("sentinel message = %q, want %q", got, want)
		}
		if errors.KindOf(s) != k {
			t.Errorf("KindOf(%v) = %v", s, errors.KindOf(s))
		}
		e := &errors.Error{Kind: k}
		if !errors.Is(e, s) {
			t.Errorf("*Error of kind %v does not match %v", k, s)
		}
		if errors.Is(e, errors.ErrNotExist) != (k == errors.NotExist) {
			t.Errorf("*Error of kind %v: Is(ErrNotExist) wrong", k)
		}
	}
	if errors.Other.Err() != nil {
		t.Errorf("Other.Err() = %v, want nil", errors.Other.Err())
	}
	if !errors.Is(errors.ErrNotExist, fs.ErrNotExist) || errors.Is(errors.ErrBusy, fs.ErrNotExist) {
		t.Errorf("sentinels map to fs sentinels wrongly")
	}
	if !errors.Is(errors.ErrHeld, errors.ErrBusy) || errors.Is(errors.ErrBusy, errors.ErrHeld) {
		t.Errorf("ErrHeld/ErrBusy refinement wrong")
	}
	if !errors.Is(errors.ErrDiverged, errors.ErrStreamMismatch) || errors.Is(errors.ErrStreamMismatch, errors.ErrDiverged) {
		t.Errorf("ErrDiverged/ErrStreamMismatch refinement wrong")
	}
	if errors.Is(&errors.Error{Kind: errors.Other}, errors.ErrBusy) {
		t.Errorf("Kind Other matches ErrBusy")
	}
	if got := errors.Kind(200).String(); got != "kind(200)" {
		t.Errorf("unknown kind String() = %q", got)
	}
	if errors.KindOf(nil) != errors.Other || errors.KindOf(stderrors.New("x")) != errors.Other {
		t.Errorf("KindOf of nil or plain error is not Other")
	}
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
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestStdReexports(t *testing.T) {
	a := errors.New("a")
	b := fmt.Errorf("b: %w", a)
	if !errors.Is(b, a) || errors.Unwrap(b) != a {
		t.Errorf("Is/Unwrap re-exports broken")
	}
	j := errors.Join(a, nil)
	if !errors.Is(j, a) || errors.Join(nil, nil) != nil {
		t.Errorf("Join re-export broken")
	}
	var pe *fs.PathError
	if errors.As(b, &pe) {
		t.Errorf("As found a PathError that is not there")
	}
	if errors.ErrUnsupported != stderrors.ErrUnsupported {
		t.Errorf("ErrUnsupported is not the standard one")
	}
}

func TestFromCommandRemoteNotFound(t *testing.T) {
	xe := &command.ExitError{Argv: []string{"zfs", "list"}, Code: 127, Stderr: "sh: 1: zfs: not found\n", Err: exec.ErrNotFound}
	err := errors.FromCommand("list", "", xe)
	if errors.KindOf(err) != errors.CommandNotFound || !errors.Is(err, errors.ErrCommandNotFound) {
		t.Errorf("FromCommand(remote 127) = %v (kind %v), want CommandNotFound", err, errors.KindOf(err))
	}
}
