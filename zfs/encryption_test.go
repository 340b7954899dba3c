package zfs

import (
	"context"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	oldKey = "old passphrase"
	newKey = "new passphrase"
)

// TestChangeKeyCommands checks the commands ChangeKey runs, in order, with
// what each reads on standard input, for every combination of options.
func TestChangeKeyCommands(t *testing.T) {
	type call struct {
		argv  []string
		stdin string // "" for none
	}
	for _, tc := range []struct {
		name  string
		opts  func() ChangeKeyOptions
		calls []call
	}{
		{"new key", func() ChangeKeyOptions { return ChangeKeyOptions{Key: strings.NewReader(newKey)} },
			[]call{{[]string{"zfs", "change-key", "-o", "keylocation=prompt", "tank/e"}, newKey}}},
		{"load, new key", func() ChangeKeyOptions { return ChangeKeyOptions{Load: true, Key: strings.NewReader(newKey)} },
			[]call{{[]string{"zfs", "change-key", "-l", "-o", "keylocation=prompt", "tank/e"}, newKey}}},
		{"load, new location", func() ChangeKeyOptions { return ChangeKeyOptions{Load: true, Location: "file:///k"} },
			[]call{{[]string{"zfs", "change-key", "-l", "-o", "keylocation=file:///k", "tank/e"}, ""}}},
		{"load, all new key options", func() ChangeKeyOptions {
			return ChangeKeyOptions{Load: true, Format: KeyPassphrase, Key: strings.NewReader(newKey), PBKDF2Iters: 500000}
		}, []call{{[]string{"zfs", "change-key", "-l", "-o", "keyformat=passphrase", "-o", "keylocation=prompt", "-o", "pbkdf2iters=500000", "tank/e"}, newKey}}},
		{"current key, new key", func() ChangeKeyOptions {
			return ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(oldKey), Key: strings.NewReader(newKey)}
		}, []call{
			{[]string{"zfs", "load-key", "-L", "prompt", "tank/e"}, oldKey},
			{[]string{"zfs", "change-key", "-o", "keylocation=prompt", "tank/e"}, newKey},
		}},
		{"current key, new format and location", func() ChangeKeyOptions {
			return ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(oldKey), Format: KeyRaw, Location: "file:///raw"}
		}, []call{
			{[]string{"zfs", "load-key", "-L", "prompt", "tank/e"}, oldKey},
			{[]string{"zfs", "change-key", "-o", "keyformat=raw", "-o", "keylocation=file:///raw", "tank/e"}, ""},
		}},
		{"inherit", func() ChangeKeyOptions { return ChangeKeyOptions{Inherit: true} },
			[]call{{[]string{"zfs", "change-key", "-i", "tank/e"}, ""}}},
		{"inherit, load", func() ChangeKeyOptions { return ChangeKeyOptions{Inherit: true, Load: true} },
			[]call{{[]string{"zfs", "change-key", "-i", "-l", "tank/e"}, ""}}},
		{"inherit, current key", func() ChangeKeyOptions {
			return ChangeKeyOptions{Inherit: true, Load: true, CurrentKey: strings.NewReader(oldKey)}
		}, []call{
			{[]string{"zfs", "load-key", "-L", "prompt", "tank/e"}, oldKey},
			{[]string{"zfs", "change-key", "-i", "tank/e"}, ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			f.InOrder()
			var exps []interface{ Stdin() [][]byte }
			for _, cl := range tc.calls {
				exps = append(exps, f.Expect(cl.argv...))
			}
			require.NoError(t, fsHandle(c, "tank/e").ChangeKey(context.Background(), tc.opts()))
			for i, cl := range tc.calls {
				var got string
				if in := exps[i].Stdin(); len(in) > 0 {
					got = string(in[0])
				}
				assert.Equal(t, cl.stdin, got, "stdin of %v", cl.argv)
			}
			for _, argv := range f.Calls() {
				joined := strings.Join(argv, " ")
				assert.NotContains(t, joined, oldKey, "keys never on the command line")
				assert.NotContains(t, joined, newKey, "keys never on the command line")
			}
		})
	}
}

// TestChangeKeyCurrentKeyAlreadyLoaded: a key that is already loaded is kept
// and the change goes ahead.
func TestChangeKeyCurrentKeyAlreadyLoaded(t *testing.T) {
	f, c := newFake(t)
	f.InOrder()
	f.Expect("zfs", "load-key", "-L", "prompt", "tank/e").Stderr("Key load error: Key already loaded for 'tank/e'.\n").Exit(255)
	f.Expect("zfs", "change-key", "-o", "keylocation=prompt", "tank/e")
	v := newVolume(dataset{c: c, name: "tank/e", typ: TypeVolume})
	require.NoError(t, v.ChangeKey(context.Background(), ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader(oldKey), Key: strings.NewReader(newKey)}))
}

// TestChangeKeyWrongCurrentKey: a wrong current key stops before the change.
func TestChangeKeyWrongCurrentKey(t *testing.T) {
	f, c := newFake(t) // change-key is not expected: running it fails the test
	f.Expect("zfs", "load-key", "-L", "prompt", "tank/e").Stderr("Key load error: Incorrect key provided for 'tank/e'.\n").Exit(255)
	err := fsHandle(c, "tank/e").ChangeKey(context.Background(), ChangeKeyOptions{Load: true, CurrentKey: strings.NewReader("wrong"), Key: strings.NewReader(newKey)})
	assert.ErrorIs(t, err, errors.ErrPermission)
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "change-key", e.Op)
	assert.Contains(t, e.Stderr, "Incorrect key provided")
}

func TestChangeKeyInvalid(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t) // any command run fails the test
	fs := fsHandle(c, "tank/e")
	k := func() *strings.Reader { return strings.NewReader(newKey) }
	for name, opts := range map[string]ChangeKeyOptions{
		"nothing":                  {},
		"load only":                {Load: true},
		"current key without load": {CurrentKey: k(), Key: k()},
		"current key, no new key":  {Load: true, CurrentKey: k()},
		"key and location":         {Key: k(), Location: "file:///k"},
		"inherit with format":      {Inherit: true, Format: KeyHex},
		"inherit with key":         {Inherit: true, Key: k()},
		"inherit with location":    {Inherit: true, Location: "file:///k"},
		"inherit with iterations":  {Inherit: true, PBKDF2Iters: 1},
		"inherit current no load":  {Inherit: true, CurrentKey: k()},
	} {
		err := fs.ChangeKey(ctx, opts)
		assert.ErrorIs(t, err, errors.ErrInvalidArgument, name)
		var e *errors.Error
		if assert.ErrorAs(t, err, &e, name) {
			assert.Equal(t, -1, e.ExitCode, name)
			assert.Equal(t, "change-key", e.Op, name)
		}
	}
}
