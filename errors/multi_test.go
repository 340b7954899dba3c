package errors_test

import (
	"io/fs"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
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
			if got := errors.Append(tc.err, tc.errs...); got != nil {
				t.Errorf("Append = %#v, want untyped nil", got)
			}
		})
	}
}

func TestAppendSingle(t *testing.T) {
	e := errors.New("one")
	if got := errors.Append(nil, nil, e); got != e {
		t.Errorf("Append(nil, nil, e) = %v, want e itself", got)
	}
	if got := errors.Append(e, nil); got != e {
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
	invalid := errors.InvalidNamef("destroy", "tank/a@", "empty component")

	var err error
	for _, e := range []error{nil, busy, nil, missing} {
		err = errors.Append(err, e)
	}
	err = errors.Append(err, invalid)

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
	other := errors.Append(errors.New("x"), errors.New("y"))
	if n := len(errors.Errors(errors.Append(err, other))); n != 5 {
		t.Errorf("flattened batch has %d errors, want 5", n)
	}
}

func TestErrors(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	if errors.Errors(nil) != nil {
		t.Errorf("Errors(nil) != nil")
	}
	var typedNil *multierror.Error
	if errors.Errors(typedNil) != nil {
		t.Errorf("Errors(typed nil) != nil")
	}
	if got := errors.Errors(a); len(got) != 1 || got[0] != a {
		t.Errorf("Errors(a) = %v", got)
	}
	if got := errors.Errors(errors.Join(a, b)); len(got) != 2 || got[1] != b {
		t.Errorf("Errors(Join) = %v", got)
	}
}
