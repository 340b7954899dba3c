package zpool

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var v232 = zfs.Version{Major: 2, Minor: 3, Patch: 2}

// newTest returns a Client on a fake runner that believes it drives
// OpenZFS 2.3.2, with JSON output unless text is set.
func newTest(t *testing.T, text bool) (*Client, *commandtest.Fake) {
	t.Helper()
	fake := commandtest.New(t)
	return New(zfs.New(zfs.ClientOptions{Runner: fake, Version: v232, TextOutput: text})), fake
}

// TestArgv checks the exact command line of every operation and option.
func TestArgv(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func(c *Client) error
		argv []string
	}{
		{"create plain", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("sda"), Disk("sdb")}}, CreateOptions{})
		}, []string{"zpool", "create", "tank", "sda", "sdb"}},
		{"create mirror", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Mirror("/f/a", "/f/b"), Mirror("/f/c", "/f/d")}}, CreateOptions{})
		}, []string{"zpool", "create", "tank", "mirror", "/f/a", "/f/b", "mirror", "/f/c", "/f/d"}},
		{"create raidz", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{RAIDZ(1, "a", "b", "c"), RAIDZ(2, "d", "e", "f", "g"), RAIDZ(3, "h", "i", "j", "k")}}, CreateOptions{})
		}, []string{"zpool", "create", "tank", "raidz1", "a", "b", "c", "raidz2", "d", "e", "f", "g", "raidz3", "h", "i", "j", "k"}},
		{"create draid", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{DRAID(DRAIDConfig{Parity: 2, Data: 4, Children: 7, Spares: 1}, "a", "b", "c", "d", "e", "f", "g")}}, CreateOptions{})
		}, []string{"zpool", "create", "tank", "draid2:4d:7c:1s", "a", "b", "c", "d", "e", "f", "g"}},
		{"create draid defaults", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{DRAID(DRAIDConfig{}, "a", "b", "c")}}, CreateOptions{})
		}, []string{"zpool", "create", "tank", "draid1", "a", "b", "c"}},
		{"create all classes and options", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{
				Vdevs:   []VdevSpec{Mirror("a", "b")},
				Logs:    []VdevSpec{Mirror("l1", "l2")},
				Special: []VdevSpec{Mirror("s1", "s2")},
				Dedup:   []VdevSpec{Disk("d1")},
				Cache:   []string{"c1", "c2"},
				Spares:  []string{"sp1"},
			}, CreateOptions{
				Properties:      map[string]string{"ashift": "12", "autotrim": "on"},
				FSProperties:    map[string]string{"compression": "zstd", "atime": "off"},
				AltRoot:         "/mnt/alt",
				Mountpoint:      "none",
				Force:           true,
				DisableFeatures: true,
				TempName:        "tmptank",
			})
		}, []string{"zpool", "create", "-f", "-d", "-o", "ashift=12", "-o", "autotrim=on", "-O", "atime=off", "-O", "compression=zstd",
			"-R", "/mnt/alt", "-m", "none", "-t", "tmptank", "tank", "mirror", "a", "b", "log", "mirror", "l1", "l2",
			"special", "mirror", "s1", "s2", "dedup", "d1", "cache", "c1", "c2", "spare", "sp1"}},
		{"destroy", func(c *Client) error { return c.Destroy(ctx, "tank", DestroyOptions{}) }, []string{"zpool", "destroy", "tank"}},
		{"destroy force", func(c *Client) error { return c.Destroy(ctx, "tank", DestroyOptions{Force: true}) }, []string{"zpool", "destroy", "-f", "tank"}},
		{"add", func(c *Client) error {
			return c.Add(ctx, "tank", Layout{Vdevs: []VdevSpec{Mirror("c", "d")}, Cache: []string{"e"}}, AddOptions{Force: true})
		}, []string{"zpool", "add", "-f", "tank", "mirror", "c", "d", "cache", "e"}},
		{"remove", func(c *Client) error { return c.Remove(ctx, "tank", "mirror-1") }, []string{"zpool", "remove", "tank", "mirror-1"}},
		{"export", func(c *Client) error { return c.Export(ctx, "tank", ExportOptions{}) }, []string{"zpool", "export", "tank"}},
		{"export force", func(c *Client) error { return c.Export(ctx, "tank", ExportOptions{Force: true}) }, []string{"zpool", "export", "-f", "tank"}},
		{"import by name", func(c *Client) error { return c.Import(ctx, "tank", ImportOptions{}) }, []string{"zpool", "import", "tank"}},
		{"import by guid, all options", func(c *Client) error {
			return c.Import(ctx, "1053384641352720244", ImportOptions{
				Source:             ImportSource{Dirs: []string{"/d1", "/d2"}},
				NewName:            "tank2",
				ReadOnly:           true,
				AltRoot:            "/mnt",
				NoCacheFile:        true,
				Properties:         map[string]string{"multihost": "off"},
				Force:              true,
				NoMount:            true,
				MissingLog:         true,
				RewindToCheckpoint: true,
			})
		}, []string{"zpool", "import", "-d", "/d1", "-d", "/d2", "-f", "-N", "-m", "--rewind-to-checkpoint", "-R", "/mnt",
			"-o", "cachefile=none", "-o", "multihost=off", "-o", "readonly=on", "1053384641352720244", "tank2"}},
		{"import destroyed from cachefile", func(c *Client) error {
			return c.Import(ctx, "tank", ImportOptions{Source: ImportSource{CacheFile: "/etc/zfs/zpool.cache", Destroyed: true}})
		}, []string{"zpool", "import", "-c", "/etc/zfs/zpool.cache", "-D", "tank"}},
		{"scrub", func(c *Client) error { return c.Scrub(ctx, "tank", ScrubOptions{}) }, []string{"zpool", "scrub", "tank"}},
		{"scrub wait errors", func(c *Client) error { return c.Scrub(ctx, "tank", ScrubOptions{Wait: true, ErrorsOnly: true}) }, []string{"zpool", "scrub", "-e", "-w", "tank"}},
		{"scrub pause", func(c *Client) error { return c.PauseScrub(ctx, "tank") }, []string{"zpool", "scrub", "-p", "tank"}},
		{"scrub stop", func(c *Client) error { return c.StopScrub(ctx, "tank") }, []string{"zpool", "scrub", "-s", "tank"}},
		{"wait all", func(c *Client) error { return c.Wait(ctx, "tank") }, []string{"zpool", "wait", "tank"}},
		{"wait some", func(c *Client) error {
			return c.Wait(ctx, "tank", ActivityScrub, ActivityResilver, ActivityTrim, ActivityReplace)
		}, []string{"zpool", "wait", "-t", "scrub,resilver,trim,replace", "tank"}},
		{"sync all", func(c *Client) error { return c.Sync(ctx) }, []string{"zpool", "sync"}},
		{"sync some", func(c *Client) error { return c.Sync(ctx, "tank", "backup") }, []string{"zpool", "sync", "tank", "backup"}},
		{"trim", func(c *Client) error { return c.Trim(ctx, "tank", TrimOptions{}) }, []string{"zpool", "trim", "tank"}},
		{"trim options", func(c *Client) error {
			return c.Trim(ctx, "tank", TrimOptions{Secure: true, Rate: 1 << 20, Wait: true}, "sda", "sdb")
		}, []string{"zpool", "trim", "-d", "-r", "1048576", "-w", "tank", "sda", "sdb"}},
		{"trim cancel", func(c *Client) error { return c.CancelTrim(ctx, "tank") }, []string{"zpool", "trim", "-c", "tank"}},
		{"trim suspend", func(c *Client) error { return c.SuspendTrim(ctx, "tank", "sda") }, []string{"zpool", "trim", "-s", "tank", "sda"}},
		{"clear", func(c *Client) error { return c.Clear(ctx, "tank") }, []string{"zpool", "clear", "tank"}},
		{"clear device", func(c *Client) error { return c.Clear(ctx, "tank", "sda") }, []string{"zpool", "clear", "tank", "sda"}},
		{"online", func(c *Client) error { return c.Online(ctx, "tank", OnlineOptions{}, "sda") }, []string{"zpool", "online", "tank", "sda"}},
		{"online expand", func(c *Client) error { return c.Online(ctx, "tank", OnlineOptions{Expand: true}, "sda", "sdb") }, []string{"zpool", "online", "-e", "tank", "sda", "sdb"}},
		{"offline", func(c *Client) error { return c.Offline(ctx, "tank", OfflineOptions{}, "sda") }, []string{"zpool", "offline", "tank", "sda"}},
		{"offline temporary force", func(c *Client) error {
			return c.Offline(ctx, "tank", OfflineOptions{Temporary: true, Force: true}, "sda")
		}, []string{"zpool", "offline", "-f", "-t", "tank", "sda"}},
		{"attach", func(c *Client) error { return c.Attach(ctx, "tank", "sda", "sdb", AttachOptions{}) }, []string{"zpool", "attach", "tank", "sda", "sdb"}},
		{"attach options", func(c *Client) error {
			return c.Attach(ctx, "tank", "sda", "sdb", AttachOptions{Force: true, Wait: true, Sequential: true, Properties: map[string]string{"ashift": "12"}})
		}, []string{"zpool", "attach", "-f", "-s", "-w", "-o", "ashift=12", "tank", "sda", "sdb"}},
		{"detach", func(c *Client) error { return c.Detach(ctx, "tank", "sdb") }, []string{"zpool", "detach", "tank", "sdb"}},
		{"replace", func(c *Client) error { return c.Replace(ctx, "tank", "sda", "sdc", AttachOptions{Wait: true}) }, []string{"zpool", "replace", "-w", "tank", "sda", "sdc"}},
		{"replace in place", func(c *Client) error { return c.Replace(ctx, "tank", "sda", "", AttachOptions{}) }, []string{"zpool", "replace", "tank", "sda"}},
		{"replace with dspare", func(c *Client) error {
			return c.Replace(ctx, "tank", "9984511955564846541", "draid1-0-0", AttachOptions{})
		}, []string{"zpool", "replace", "tank", "9984511955564846541", "draid1-0-0"}},
		{"checkpoint", func(c *Client) error { return c.Checkpoint(ctx, "tank") }, []string{"zpool", "checkpoint", "tank"}},
		{"checkpoint discard", func(c *Client) error { return c.DiscardCheckpoint(ctx, "tank", false) }, []string{"zpool", "checkpoint", "-d", "tank"}},
		{"checkpoint discard wait", func(c *Client) error { return c.DiscardCheckpoint(ctx, "tank", true) }, []string{"zpool", "checkpoint", "-d", "-w", "tank"}},
		{"upgrade", func(c *Client) error { return c.Upgrade(ctx, "tank") }, []string{"zpool", "upgrade", "tank"}},
		{"set", func(c *Client) error { return c.Set(ctx, "tank", "comment", "hello world") }, []string{"zpool", "set", "comment=hello world", "tank"}},
		{"enable feature", func(c *Client) error { return c.EnableFeature(ctx, "tank", "zstd_compress") }, []string{"zpool", "set", "feature@zstd_compress=enabled", "tank"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := newTest(t, false)
			fake.Expect(tc.argv...)
			require.NoError(t, tc.call(c))
			assert.Equal(t, [][]string{tc.argv}, fake.Calls())
		})
	}
}

// TestArgvReadOnly checks the command lines of the operations that read,
// on both output paths.
func TestArgvReadOnly(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		text      bool
		call      func(c *Client) error
		argv, out string
	}{
		{"pools json", false, func(c *Client) error { _, err := c.Pools(ctx); return err },
			"zpool get -j --json-int all", `{"pools":{}}`},
		{"pools text", true, func(c *Client) error { _, err := c.Pools(ctx, "a", "b"); return err },
			"zpool get -H -p all a b", ""},
		{"get json", false, func(c *Client) error { _, err := c.Get(ctx, "tank", "size", "health"); return err },
			"zpool get -j --json-int size,health tank", `{"pools":{"tank":{"name":"tank","properties":{}}}}`},
		{"get text", true, func(c *Client) error { _, err := c.Get(ctx, "tank"); return err },
			"zpool get -H -p all tank", "tank\tsize\t1\t-\n"},
		{"status json", false, func(c *Client) error { _, err := c.Statuses(ctx, "tank"); return err },
			"zpool status -j --json-int -v -s -t -i tank", `{"pools":{}}`},
		{"status text", true, func(c *Client) error { _, err := c.Statuses(ctx); return err },
			"zpool status -v -p -s -t -i", ""},
		{"import list", false, func(c *Client) error {
			_, err := c.ImportList(ctx, ImportSource{Dirs: []string{"/d"}, Destroyed: true})
			return err
		}, "zpool import -d /d -D", ""},
		{"history", false, func(c *Client) error { _, err := c.History(ctx, "tank", HistoryOptions{}); return err },
			"zpool history -l tank", ""},
		{"history internal", false, func(c *Client) error { _, err := c.History(ctx, "tank", HistoryOptions{Internal: true}); return err },
			"zpool history -l -i tank", ""},
		{"iostat", false, func(c *Client) error { _, err := c.Iostat(ctx, 0, IostatOptions{}); return err },
			"zpool iostat -p -T u -H", ""},
		{"iostat interval", false, func(c *Client) error {
			_, err := c.Iostat(ctx, 1500*time.Millisecond, IostatOptions{Pools: []string{"a", "b"}})
			return err
		}, "zpool iostat -p -T u -H -y a b 2 1", ""},
		{"iostat vdevs", false, func(c *Client) error {
			_, err := c.Iostat(ctx, 0, IostatOptions{Pools: []string{"tank"}, Vdevs: true})
			return err
		}, "zpool iostat -p -T u -v tank", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := newTest(t, tc.text)
			fake.Expect(strings.Fields(tc.argv)...).Stdout(tc.out)
			require.NoError(t, tc.call(c))
		})
	}
}

// TestValidation checks that bad names and arguments are rejected before
// anything runs.
func TestValidation(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func(c *Client) error
		kind errors.Kind
	}{
		{"pool name with dash", func(c *Client) error { return c.Scrub(ctx, "-f", ScrubOptions{}) }, errors.InvalidName},
		{"pool name with slash", func(c *Client) error { _, err := c.Status(ctx, "tank/fs"); return err }, errors.InvalidName},
		{"empty pool name", func(c *Client) error { _, err := c.Pool(ctx, ""); return err }, errors.InvalidName},
		{"reserved pool name", func(c *Client) error {
			return c.Create(ctx, "mirror", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{})
		}, errors.InvalidName},
		{"create reserved prefix", func(c *Client) error {
			return c.Create(ctx, "spare1", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{})
		}, errors.InvalidName},
		{"create no vdevs", func(c *Client) error { return c.Create(ctx, "tank", Layout{}, CreateOptions{}) }, errors.InvalidArgument},
		{"create one-disk mirror", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Mirror("a")}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create small raidz2", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{RAIDZ(2, "a", "b")}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create bad type", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{{Type: "raidz5", Devices: []string{"a", "b"}}}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create option device", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("-f")}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create keyword device", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("log")}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create empty device", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("")}}, CreateOptions{})
		}, errors.InvalidArgument},
		{"create bad property", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{Properties: map[string]string{"a=b": "c"}})
		}, errors.InvalidArgument},
		{"create relative altroot", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{AltRoot: "mnt"})
		}, errors.InvalidArgument},
		{"create bad temp name", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{TempName: "-x"})
		}, errors.InvalidName},
		{"import bad new name", func(c *Client) error { return c.Import(ctx, "tank", ImportOptions{NewName: "raidz"}) }, errors.InvalidName},
		{"import bad name", func(c *Client) error { return c.Import(ctx, "-a", ImportOptions{}) }, errors.InvalidName},
		{"import cachefile and dirs", func(c *Client) error {
			return c.Import(ctx, "tank", ImportOptions{Source: ImportSource{Dirs: []string{"/d"}, CacheFile: "/c"}})
		}, errors.InvalidArgument},
		{"import bad dir", func(c *Client) error {
			_, err := c.ImportList(ctx, ImportSource{Dirs: []string{"-x"}})
			return err
		}, errors.InvalidArgument},
		{"sync bad pool", func(c *Client) error { return c.Sync(ctx, "tank", "-a") }, errors.InvalidName},
		{"wait bad activity", func(c *Client) error { return c.Wait(ctx, "tank", Activity("nap")) }, errors.InvalidArgument},
		{"offline no device", func(c *Client) error { return c.Offline(ctx, "tank", OfflineOptions{}) }, errors.InvalidArgument},
		{"online option device", func(c *Client) error { return c.Online(ctx, "tank", OnlineOptions{}, "-e") }, errors.InvalidArgument},
		{"attach option device", func(c *Client) error { return c.Attach(ctx, "tank", "sda", "-f", AttachOptions{}) }, errors.InvalidArgument},
		{"set bad property", func(c *Client) error { return c.Set(ctx, "tank", "-o", "x") }, errors.InvalidArgument},
		{"get bad property", func(c *Client) error { _, err := c.Get(ctx, "tank", "a,b"); return err }, errors.InvalidArgument},
		{"feature with at", func(c *Client) error { return c.EnableFeature(ctx, "tank", "feature@x") }, errors.InvalidArgument},
		{"iostat bad pool", func(c *Client) error { _, err := c.Iostat(ctx, 0, IostatOptions{Pools: []string{"a b/c"}}); return err }, errors.InvalidName},
		{"iostat negative interval", func(c *Client) error { _, err := c.Iostat(ctx, -time.Second, IostatOptions{}); return err }, errors.InvalidArgument},
		{"remove nothing", func(c *Client) error { return c.Remove(ctx, "tank") }, errors.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := newTest(t, false)
			err := tc.call(c)
			require.Error(t, err)
			assert.Equal(t, tc.kind, errors.KindOf(err), "%v", err)
			var e *errors.Error
			require.ErrorAs(t, err, &e)
			assert.Nil(t, e.Argv, "nothing ran")
			assert.Contains(t, err.Error(), "zpool ")
			assert.Empty(t, fake.Calls())
		})
	}
}

// TestStreamValidation checks that IostatStream reports bad arguments as
// its only element.
func TestStreamValidation(t *testing.T) {
	c, fake := newTest(t, false)
	n := 0
	for s, err := range c.IostatStream(context.Background(), 0, 0, IostatOptions{}) {
		n++
		assert.Nil(t, s)
		assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	}
	assert.Equal(t, 1, n)
	assert.Empty(t, fake.Calls())
}
