package main

import (
	"bytes"
	"testing"

	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZfslist(t *testing.T) {
	const listing = `{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{"tank/a@s":{"name":"tank/a@s","type":"SNAPSHOT","pool":"tank","createtxg":"7","properties":{"guid":{"value":"18446744073709551615","source":{"type":"NONE","data":"-"}},"createtxg":{"value":"7","source":{"type":"NONE","data":"-"}},"creation":{"value":"1700000000","source":{"type":"NONE","data":"-"}},"used":{"value":"1024","source":{"type":"NONE","data":"-"}},"com.example:k":{"value":"a\tb","source":{"type":"INHERITED","data":"tank"}}}}}}`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-H", "-sources", "-r", "-t", "snapshot", "-o", "used,com.example:k", "tank"}, "tank/a@s\t1024\t-\ta\\tb\tinherited from tank\n"},
		{[]string{"-r", "-t", "snapshot", "-o", "used,com.example:k", "tank"}, "NAME      USED  COM.EXAMPLE:K\ntank/a@s  1024  a\\tb\n"},
		{[]string{"-json", "-r", "-t", "snapshot", "-o", "used,com.example:k", "tank"}, `{"name":"tank/a@s","type":"snapshot","guid":"18446744073709551615","createtxg":7,"creation":1700000000,"properties":{"com.example:k":{"value":"a\tb","source":"inherited from tank"},"used":{"value":"1024","source":"-"}}}` + "\n"},
	} {
		f := commandtest.New(t)
		f.Expect("zfs", "list", "-j", "-p", "-r", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation,used,com.example:k", "tank").Stdout(listing)
		var out, errb bytes.Buffer
		rc := run(tc.args, &out, &errb, zfs.ClientOptions{Runner: f, Version: zfs.Version{Major: 2, Minor: 3}})
		require.Equal(t, 0, rc, "%v: %s", tc.args, errb.String())
		assert.Equal(t, tc.want, out.String(), "%v", tc.args)
	}
	// On OpenZFS 2.1 (text output), values without sources come from one
	// `zfs list` line per dataset, with sources from `zfs get`.
	v21 := zfs.Version{Major: 2, Minor: 1, Patch: 11}
	f := commandtest.New(t)
	f.Expect("zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation,used,referenced", "tank").
		Stdout("tank/a@s\tsnapshot\t18446744073709551615\t7\t1700000000\t1024\t4096\n")
	var out bytes.Buffer
	rc := run([]string{"-H", "-r", "-t", "snapshot", "-o", "used,referenced", "tank"}, &out, &bytes.Buffer{}, zfs.ClientOptions{Runner: f, Version: v21})
	assert.Equal(t, 0, rc, "2.1 without sources: exit code")
	assert.Equal(t, "tank/a@s\t1024\t4096\n", out.String(), "2.1 without sources")
	f = commandtest.New(t)
	f.Expect("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-r", "-t", "snapshot", "name,type,guid,createtxg,creation,used", "tank").
		Stdout("tank/a@s\tname\ttank/a@s\t-\ntank/a@s\ttype\tsnapshot\t-\ntank/a@s\tused\t1024\t-\n")
	out.Reset()
	rc = run([]string{"-H", "-sources", "-r", "-t", "snapshot", "-o", "used", "tank"}, &out, &bytes.Buffer{}, zfs.ClientOptions{Runner: f, Version: v21})
	assert.Equal(t, 0, rc, "2.1 with sources: exit code")
	assert.Equal(t, "tank/a@s\t1024\t-\n", out.String(), "2.1 with sources")

	var errb bytes.Buffer
	rc = run([]string{"-t", "bogus"}, &bytes.Buffer{}, &errb, zfs.ClientOptions{})
	assert.Equal(t, 2, rc, "bad type: exit code")
	assert.Contains(t, errb.String(), "unknown type", "bad type")
}
