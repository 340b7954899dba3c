package errors_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenVersions are the OpenZFS userlands whose messages testdata/capture.sh
// recorded: 2.3.2 with its own module, 2.1.11 against the same module.
var goldenVersions = []string{"2.3.2", "2.1.11"}

// goldenCases are failures captured from real zfs (testdata/capture.sh),
// with the Kind each must get and the message its *Error must print. The
// name in the message is the one FromCommand is given: the capture's
// dataset.
var goldenCases = []struct {
	capture string
	op      string
	name    string
	kind    errors.Kind
	message string
}{
	// A volume as a parent, or a volume replacing the root dataset or a
	// filesystem with children: pyzfs's WrongParent.
	{"create-below-volume", "create", "gzerr/vol/fs", errors.WrongParent, "zfs create gzerr/vol/fs: parent is not a filesystem"},
	{"create-volume-below-volume", "create", "gzerr/vol/vol", errors.WrongParent, "zfs create gzerr/vol/vol: parent is not a filesystem"},
	{"rename-below-volume", "rename", "gzerr/fs2", errors.WrongParent, "zfs rename gzerr/fs2: gzerr/vol/fs2: parent is not a filesystem"},
	{"recv-below-volume", "receive", "gzerr/vol/fs", errors.WrongParent, "zfs receive gzerr/vol/fs: parent 'gzerr/vol' is not a filesystem"},
	{"recv-volume-over-root", "receive", "gzerr", errors.WrongParent, "zfs receive gzerr: destination gzerr is the root dataset cannot overwrite with a ZVOL"},
	{"recv-volume-over-children", "receive", "gzerr/parent", errors.WrongParent, "zfs receive gzerr/parent: destination has children (eg. gzerr/parent/child) cannot overwrite with a ZVOL"},
	// zfs create of a pool's root dataset (the zfs package rejects it
	// before running).
	{"create-root", "create", "trail ", errors.InvalidArgument, `zfs create "trail ": missing dataset name`},
	{"create-pool-root", "create", "gzerr", errors.InvalidArgument, "zfs create gzerr: missing dataset name"},
	// Properties of snapshots, and the lengths of user properties.
	{"snapshot-native-property", "snapshot", "gzerr/fs@native", errors.InvalidArgument, "zfs snapshot gzerr/fs@native: this property can not be modified for snapshots"},
	{"set-native-property-snapshot", "set", "gzerr/fs@s1", errors.InvalidArgument, "zfs set gzerr/fs@s1: this property can not be modified for snapshots"},
	{"set-user-property-name-256", "set", "gzerr/fs", errors.InvalidArgument, ""},
	{"set-user-property-value-8192", "set", "gzerr/fs", errors.InvalidArgument, "zfs set gzerr/fs: property value too long"},
	{"set-user-property-uppercase", "set", "gzerr/fs", errors.InvalidArgument, "zfs set gzerr/fs: invalid property 'Com.Example:v'"},
	// Atomic snapshots: one per dataset, in one pool; clones and renames
	// stay in their pool.
	{"snapshot-same-fs", "snapshot", "gzerr/fs@a", errors.InvalidArgument, "zfs snapshot gzerr/fs@a: multiple snapshots of same fs not allowed"},
	{"snapshot-two-pools", "snapshot", "gzerr/fs@x", errors.InvalidArgument, "zfs snapshot gzerr/fs@x: multiple snapshots of same fs not allowed"},
	{"clone-two-pools", "clone", "gzerr/fs@s1", errors.InvalidArgument, "zfs clone gzerr/fs@s1: gzerr2/clone: source and target pools differ"},
	{"rename-two-pools", "rename", "gzerr/fs2", errors.InvalidArgument, "zfs rename gzerr/fs2: gzerr2/fs2: datasets must be within same pool"},
	// Channel programs: the Lua error is in the message.
	{"program-syntax", "program", "gzerr", errors.InvalidArgument, `zfs program gzerr: Channel program execution failed: [string "channel program"]:1: syntax error near '+'`},
	{"program-instruction-limit-0", "program", "gzerr", errors.InvalidArgument, "zfs program gzerr: Channel program execution failed: Invalid instruction or memory limit"},
	{"program-instruction-limit-big", "program", "gzerr", errors.InvalidArgument, "zfs program gzerr: Channel program execution failed: Invalid instruction or memory limit"},
	{"program-runtime", "program", "gzerr", errors.Other, `zfs program gzerr: Channel program execution failed: [string "channel program"]:1: assertion failed!`},
	{"program-nosync", "program", "gzerr", errors.Other, ""},
	{"program-memory-limit", "program", "gzerr", errors.Other, "zfs program gzerr: Channel program execution failed: Memory limit exhausted"},
	// Sending a filesystem: only unmounted, and without -R.
	{"send-mounted-filesystem", "send", "gzerr/fs2", errors.Busy, "zfs send gzerr/fs2: target is busy; if a filesystem, it must not be mounted"},
	{"send-readonly-filesystem", "send", "gzerr/fs2", errors.Busy, "zfs send gzerr/fs2: target is busy; if a filesystem, it must not be mounted"},
	{"send-filesystem-replicate", "send", "gzerr/fs2", errors.InvalidArgument, "zfs send gzerr/fs2: Error: Unsupported flag with filesystem or bookmark"},
	// Destroying snapshots that do not exist (DestroySnapshots ignores it).
	{"destroy-missing-snapshots", "destroy", "gzerr/fs@nope1,nope2", errors.NotExist, `zfs destroy "gzerr/fs@nope1,nope2": could not find any snapshots to destroy; check snapshot names`},
	{"destroy-missing-snapshots-r", "destroy", "gzerr/fs@nope1", errors.NotExist, "zfs destroy gzerr/fs@nope1: could not find any snapshots to destroy; check snapshot names"},
	{"destroy-missing-snapshots-of-missing", "destroy", "gzerr/nope@a,b", errors.NotExist, `zfs destroy "gzerr/nope@a,b": gzerr/nope: dataset does not exist`},
	// Receives that leave or meet partial state. A full stream into a target
	// holding partial state says it exists (the recv package then reads the
	// target's resume token and reports ResumableStatePresent).
	{"recv-cut-resumable", "receive", "gzerr/partial", errors.Interrupted, ""},
	{"recv-cut-incremental", "receive", "gzerr/incpartial", errors.Interrupted, ""},
	{"recv-into-partial-full", "receive", "gzerr/partial", errors.Exist, "zfs receive gzerr/partial: destination 'gzerr/partial' exists must specify -F to overwrite it"},
	{"recv-into-partial-full-F", "receive", "gzerr/partial", errors.ResumableStatePresent, `zfs receive gzerr/partial: destination gzerr/partial contains partially-complete state from "zfs receive -s"`},
	{"recv-into-partial-incremental", "receive", "gzerr/incpartial", errors.ResumableStatePresent, `zfs receive gzerr/incpartial: destination gzerr/incpartial contains partially-complete state from "zfs receive -s"`},
}

func readGolden(t *testing.T, version, name string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", version, name))
	if os.IsNotExist(err) {
		return "", false
	}
	require.NoError(t, err)
	return string(b), true
}

// TestGoldenClassify classifies what real zfs printed for each captured
// failure, as FromCommand sees it from a runner.
func TestGoldenClassify(t *testing.T) {
	for _, v := range goldenVersions {
		for _, tc := range goldenCases {
			t.Run(v+"/"+tc.capture, func(t *testing.T) {
				rc, ok := readGolden(t, v, tc.capture+".rc")
				require.True(t, ok, "no capture %s of %s", tc.capture, v)
				code, err := strconv.Atoi(strings.TrimSpace(rc))
				require.NoError(t, err)
				require.NotZero(t, code, "the capture succeeded")
				stderr, _ := readGolden(t, v, tc.capture+".err")
				err = errors.FromCommand(tc.op, tc.name, &command.ExitError{Argv: []string{"zfs", tc.op}, Code: code, Stderr: stderr})
				assert.Equal(t, tc.kind, errors.KindOf(err), "%s", stderr)
				if tc.message != "" {
					assert.Equal(t, tc.message, err.Error())
				}
			})
		}
	}
}

// TestGoldenSendReadOnlyFile records why the send package checks the file
// it hands to zfs send: zfs send into a descriptor open only for reading
// fails with exit status 1 and says nothing (2.3.2), or aborts with an
// internal error (2.1.11).
func TestGoldenSendReadOnlyFile(t *testing.T) {
	for _, tc := range []struct{ version, rc, stderr string }{
		{"2.3.2", "1", ""},
		{"2.1.11", "134", "internal error: warning: cannot send 'gzerr/fs@s1': Bad file descriptor\n"},
	} {
		rc, ok := readGolden(t, tc.version, "send-readonly-file.rc")
		require.True(t, ok)
		assert.Equal(t, tc.rc, strings.TrimSpace(rc), tc.version)
		stderr, _ := readGolden(t, tc.version, "send-readonly-file.err")
		assert.Equal(t, tc.stderr, stderr, tc.version)
	}
}
