package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/replication"
)

func TestParseSide(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want side
		err  string
	}{
		{"tank/home", side{dataset: "tank/home"}, ""},
		{"tank/a:b", side{dataset: "tank/a:b"}, ""},
		{"ssh://nas/backup/home", side{host: "nas", dataset: "backup/home"}, ""},
		{"ssh://zfs@nas:2222/backup/home", side{user: "zfs", host: "nas:2222", dataset: "backup/home"}, ""},
		{"ssh://[::1]:22/backup", side{host: "[::1]:22", dataset: "backup"}, ""},
		{"ssh://nas", side{}, "want ssh://"},
		{"ssh://nas/", side{}, "want ssh://"},
		{"http://nas/x", side{}, "only ssh://"},
	} {
		got, err := parseSide(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.in, got.String())
	}
}

func TestOptions(t *testing.T) {
	o, err := parse([]string{"-r", "-steps", "each", "-snapshots", "^auto", "-o", "canmount=off", "-x", "mountpoint", "-p", "-c", "-retries", "0", "tank/a", "backup/a"}, &bytes.Buffer{})
	require.NoError(t, err)
	po, err := o.planOptions()
	require.NoError(t, err)
	assert.True(t, po.Recursive)
	assert.Equal(t, replication.StepEach, po.Steps)
	assert.True(t, po.Snapshots("auto-1"))
	assert.False(t, po.Snapshots("manual"))
	ro, err := o.runOptions(nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"canmount": "off"}, ro.Receive.SetProperties)
	assert.Equal(t, []string{"mountpoint"}, ro.Receive.ExcludeProperties)
	assert.True(t, ro.Receive.NoMount)
	assert.True(t, ro.Send.Properties)
	assert.True(t, ro.Send.Compressed)
	assert.Equal(t, -1, ro.Retries)

	for _, bad := range [][]string{
		{"tank/a"},
		{"-http", ":1", "tank/a", "b/a"},
		{"-n", "-every", "1m", "tank/a", "b/a"},
		{"-steps", "some", "tank/a", "b/a"},
		{"-snapshots", "(", "tank/a", "b/a"},
		{"-o", "novalue", "tank/a", "b/a"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), bad, &bytes.Buffer{}, &stderr)
		assert.Equal(t, 2, code, "%v: %s", bad, stderr.String())
		assert.True(t, strings.Contains(stderr.String(), "replicate:") || strings.Contains(stderr.String(), "usage"), bad)
	}
}

func TestStatus(t *testing.T) {
	j := &job{}
	j.status.Source, j.status.Target = "tank/a", "backup/a"
	res := &replication.Result{Datasets: []*replication.DatasetResult{
		{Target: "backup/a", Sent: []string{"backup/a@s2"}, Cursor: "tank/a#c"},
		{Target: "backup/a/b", Skipped: "conflict", Err: errors.New("diverged")},
	}}
	j.record(res, errors.New("diverged"), time.Minute)
	rec := httptest.NewRecorder()
	j.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	require.Equal(t, 200, rec.Code)
	var got map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, "diverged", got["last_error"])
	assert.EqualValues(t, 1, got["runs"])
	assert.EqualValues(t, 1, got["failed_runs"])
	ds := got["datasets"].([]any)
	require.Len(t, ds, 2)
	assert.Equal(t, "diverged", ds[1].(map[string]any)["error"])
	rec = httptest.NewRecorder()
	j.ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
	assert.Equal(t, 404, rec.Code)
}
