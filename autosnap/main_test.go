package autosnap_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (listings stream
// through goroutines of the zfs package).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
