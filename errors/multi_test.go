package errors_test

import (
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
)

func TestErrors(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	assert.Nil(t, errors.Errors(nil), "Errors(nil) != nil")
	var typedNil *multierror.Error
	assert.Nil(t, errors.Errors(typedNil), "Errors(typed nil) != nil")
	if got := errors.Errors(a); assert.Len(t, got, 1, "Errors(a)") {
		assert.Same(t, a, got[0], "Errors(a)")
	}
	if got := errors.Errors(errors.Join(a, b)); assert.Len(t, got, 2, "Errors(Join)") {
		assert.Same(t, b, got[1], "Errors(Join)")
	}
}
