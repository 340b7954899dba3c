package zpool

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless is a fake `zpool iostat -H` that prints a sample for two pools
// every millisecond until its context ends or its output is closed. It
// records that it returned in exited.
func endless(exited *atomic.Bool) func(ctx context.Context, c *command.Cmd) error {
	return func(ctx context.Context, c *command.Cmd) error {
		defer exited.Store(true)
		for i := 1; ; i++ {
			_, err := fmt.Fprintf(c.Stdout, "%d\na\t%d\t2\t3\t4\t5\t6\nb\t1\t2\t3\t4\t5\t6\n", 1700000000+i, i)
			if err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	}
}

func TestIostatStreamBreakStopsCommand(t *testing.T) {
	c, fake := newTest(t, false)
	var exited atomic.Bool
	fake.Expect("zpool", "iostat", "-p", "-T", "u", "-H", "a", "b", "1").Do(endless(&exited))
	var got []*IostatSample
	for s, err := range c.IostatStream(context.Background(), time.Second, 0, IostatOptions{Pools: []string{"a", "b"}}) {
		require.NoError(t, err)
		got = append(got, s)
		if len(got) == 3 {
			break
		}
	}
	assert.True(t, exited.Load(), "the command has returned when the loop ends")
	require.Len(t, got, 3)
	for i, s := range got {
		assert.Equal(t, time.Unix(int64(1700000001+i), 0), s.Time)
		require.Len(t, s.Pools, 2)
		assert.Equal(t, "a", s.Pools[0].Name)
		assert.Equal(t, IOStats{Alloc: uint64(i + 1), Free: 2, ReadOps: 3, WriteOps: 4, ReadBytes: 5, WriteBytes: 6}, s.Pools[0].IOStats)
		assert.Equal(t, "b", s.Pool("b").Name)
		assert.Nil(t, s.Pool("c"))
	}
}

func TestIostatStreamContextCancel(t *testing.T) {
	c, fake := newTest(t, false)
	var exited atomic.Bool
	fake.Expect("zpool", "iostat", "-p", "-T", "u", "-H", "a", "b", "2", "5").Do(endless(&exited))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for s, err := range c.IostatStream(ctx, 1100*time.Millisecond, 5, IostatOptions{Pools: []string{"a", "b"}}) {
		if err != nil {
			last = err
			continue
		}
		require.NotNil(t, s)
		n++
		if n == 2 {
			cancel()
		}
	}
	assert.True(t, exited.Load())
	assert.GreaterOrEqual(t, n, 2)
	assert.ErrorIs(t, last, context.Canceled)
}

func TestIostatStreamFailure(t *testing.T) {
	c, fake := newTest(t, false)
	fake.Expect("zpool", "iostat", "-p", "-T", "u", "-H", "nosuchpool", "1").
		Stderr("Unable to parse pools/vdevs list.\n").Exit(1)
	var errs []error
	for s, err := range c.IostatStream(context.Background(), time.Second, 0, IostatOptions{Pools: []string{"nosuchpool"}}) {
		assert.Nil(t, s)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errors.ErrNotExist)
	var e *errors.Error
	require.ErrorAs(t, errs[0], &e)
	assert.Equal(t, 1, e.ExitCode)
}

// TestIostatStreamAllPools checks that without pool names a sample ends
// at the next timestamp (or at the end of the output).
func TestIostatStreamAllPools(t *testing.T) {
	c, fake := newTest(t, false)
	fake.Expect("zpool", "iostat", "-p", "-T", "u", "-H", "1", "2").Do(func(ctx context.Context, cmd *command.Cmd) error {
		_, err := io.WriteString(cmd.Stdout, "100\nx\t1\t2\t3\t4\t5\t6\ny\t1\t2\t3\t4\t5\t6\n101\nx\t7\t8\t9\t10\t11\t12\n")
		return err
	})
	var got []*IostatSample
	for s, err := range c.IostatStream(context.Background(), time.Second, 2, IostatOptions{}) {
		require.NoError(t, err)
		got = append(got, s)
	}
	require.Len(t, got, 2)
	assert.Len(t, got[0].Pools, 2)
	assert.Equal(t, []PoolIO{{Name: "x", IOStats: IOStats{7, 8, 9, 10, 11, 12}}}, got[1].Pools)
}

func TestIostatOneShotCancel(t *testing.T) {
	c, fake := newTest(t, false)
	fake.Expect("zpool", "iostat", "-p", "-T", "u", "-H", "-y", "tank", "5", "1").Do(func(ctx context.Context, cmd *command.Cmd) error {
		<-ctx.Done()
		return ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Iostat(ctx, 5*time.Second, IostatOptions{Pools: []string{"tank"}})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, errors.ErrCanceled)
}
