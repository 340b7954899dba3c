package errors_test

import (
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/hashicorp/go-multierror"
)

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
