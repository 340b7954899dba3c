package replication_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/replication"
)

// planGolden plans gzrepl/src to gzrepl/dst from the captured listings of
// state ("fresh" or "later") on two clients.
func planGolden(t *testing.T, state string, json bool, opts replication.PlanOptions) *replication.Plan {
	t.Helper()
	form := "text"
	if json {
		form = "json"
	}
	src, sf := newClient(t, json)
	dst, df := newClient(t, json)
	cols := func(c string) string { return c }
	expectCapture(sf, readCapture(t, state+"-source-"+form), listArgv(json, opts.Recursive, cols(sourceCols), "gzrepl/src")...)
	expectCapture(df, readCapture(t, state+"-target-"+form), listArgv(json, opts.Recursive, cols(targetCols), "gzrepl/dst")...)
	p, err := replication.NewPlan(context.Background(),
		replication.Endpoint{Client: src, Dataset: "gzrepl/src"},
		replication.Endpoint{Client: dst, Dataset: "gzrepl/dst"}, opts)
	require.NoError(t, err)
	return p
}

func TestPlanGolden(t *testing.T) {
	for _, state := range []string{"fresh", "later"} {
		for _, json := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/json=%v", state, json), func(t *testing.T) {
				p := planGolden(t, state, json, replication.PlanOptions{Recursive: true})
				golden(t, "plan-"+state+".txt", fmt.Sprintf("%+v", p))
			})
		}
	}
}

func TestPlanLater(t *testing.T) {
	p := planGolden(t, "later", true, replication.PlanOptions{Recursive: true})
	by := map[string]*replication.DatasetPlan{}
	for _, dp := range p.Datasets {
		by[dp.Target] = dp
	}
	assert.Equal(t, replication.UpToDate, by["gzrepl/dst"].Action)
	a := by["gzrepl/dst/a"]
	require.Equal(t, replication.Update, a.Action)
	assert.Equal(t, "gzrepl/src/a@s2", a.Base.Name)
	assert.Equal(t, []string{"gzrepl/src/a@s3"}, a.Held)
	require.Len(t, a.Cursors, 1)
	assert.Equal(t, "gzrepl/src/a#"+replication.CursorName("", a.Base.GUID), a.Cursors[0].Name)
	assert.ErrorIs(t, by["gzrepl/dst/a/b"].Conflict, errors.ErrDiverged)
	assert.ErrorIs(t, by["gzrepl/dst/a/b"].Conflict, errors.ErrStreamMismatch)
	assert.Equal(t, []string{"gzrepl/dst/a/b@local"}, by["gzrepl/dst/a/b"].Conflict.Snapshots)
	assert.ErrorIs(t, by["gzrepl/dst/c"].Conflict, errors.ErrDestinationModified)
	d := by["gzrepl/dst/d"]
	require.Equal(t, replication.Update, d.Action)
	require.Len(t, d.Steps, 1)
	assert.Equal(t, "resume", d.Steps[0].Kind())
	e := by["gzrepl/dst/e"]
	require.Equal(t, replication.Update, e.Action)
	assert.True(t, e.Base.IsBookmark())
	assert.Equal(t, "gzrepl/src/e#"+replication.CursorName("", e.Base.GUID), e.Steps[0].From)
	g := by["gzrepl/dst/g"]
	require.Equal(t, replication.Create, g.Action)
	assert.Equal(t, "resume", g.Steps[0].Kind())
	assert.Equal(t, replication.Create, by["gzrepl/dst/h"].Action)
	assert.Equal(t, replication.Skip, by["gzrepl/dst/empty"].Action)
	assert.Equal(t, []string{"gzrepl/dst/stray"}, p.TargetOnly)
	err := p.Err()
	assert.ErrorIs(t, err, errors.ErrDiverged)
	assert.ErrorIs(t, err, errors.ErrDestinationModified)
	assert.NotErrorIs(t, err, errors.ErrNoCommonBase)
}
