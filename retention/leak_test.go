package retention_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gozfs/gozfs/retention"
)

// A cancelled prune returns the context's error and leaves no goroutine
// behind.
func TestPruneCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	sim := hourlySim(50)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := retention.Prune(ctx, sim.Client(), "tank", keep3, retention.PruneOptions{Recursive: true})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, sim.Snapshots("tank/home"), 50)
}
