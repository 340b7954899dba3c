package zpool

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/zfs"
)

// Pool is a point-in-time view of a pool's properties, as `zpool get all`
// reports them. Numbers are exact (zpool's -p and --json-int output); a
// property zpool reports as "-" gives the zero value (and -1 for
// Fragmentation, which is "-" when unknown).
type Pool struct {
	// Name is the pool's name.
	Name string
	// GUID is the pool's unique identifier.
	GUID uint64
	// Health is the pool's state: ONLINE, DEGRADED, FAULTED, ...
	Health State

	// Size is the pool's total size in bytes; Allocated and Free are the
	// bytes allocated and free.
	Size, Allocated, Free uint64
	// Freeing is the space still being freed after destroys, in bytes.
	Freeing uint64
	// Leaked is the space leaked, in bytes (normally 0).
	Leaked uint64
	// Checkpoint is the space used by the checkpoint, in bytes; 0 when the
	// pool has none.
	Checkpoint uint64
	// ExpandSize is the unused space the pool could grow into, in bytes.
	ExpandSize uint64
	// Capacity is the percentage of the pool that is allocated.
	Capacity int
	// Fragmentation is the percentage of free space fragmentation, or -1
	// when unknown (a pool without the spacemap_histogram feature).
	Fragmentation int
	// DedupRatio is the deduplication ratio (1.00 without dedup).
	DedupRatio float64
	// BcloneUsed and BcloneSaved are the space used by cloned blocks and
	// saved by block cloning, in bytes; BcloneRatio is their ratio.
	BcloneUsed, BcloneSaved uint64
	BcloneRatio             float64

	// AltRoot is the alternate root directory, or "".
	AltRoot string
	// ReadOnly reports whether the pool is imported read-only.
	ReadOnly bool
	// CacheFile is the cachefile property: "" (the default cache file),
	// "none" or a path.
	CacheFile string
	// Ashift is the ashift property (0: detected per device).
	Ashift int
	// Autoexpand, Autoreplace, Autotrim, Delegation, ListSnapshots and
	// Multihost are the on/off properties of the same names.
	Autoexpand, Autoreplace, Autotrim, Delegation, ListSnapshots, Multihost bool
	// FailMode is the failmode property: "wait", "continue" or "panic".
	FailMode string
	// BootFS is the bootfs property, or "".
	BootFS string
	// Comment is the comment property, or "".
	Comment string
	// Compatibility is the compatibility property: "off", "legacy" or a
	// list of feature-set files.
	Compatibility string
	// Version is the legacy on-disk version, or 0 for a pool that uses
	// feature flags.
	Version int
	// LastScrubbedTXG is the transaction group of the last completed
	// scrub's start, or 0.
	LastScrubbedTXG uint64

	// Features holds the state of every feature flag, keyed by feature name
	// without the "feature@" prefix ("async_destroy").
	Features map[string]FeatureState
	// Properties holds every property zpool reported, in zpool's order, as
	// printed, including user properties ("org.example:tag") and the feature@
	// properties. They are the zfs package's property values, with its typed
	// accessors (Bytes, Uint, Bool, Ratio, ...) and sources.
	Properties zfs.Properties
}

// Pools returns the properties of the named pools, or of every imported pool
// when no names are given, in one `zpool get all` command. With JSON output
// (OpenZFS 2.3 and later) it runs `zpool get -j --json-int all`, otherwise
// `zpool get -H -p all`.
func (c *Client) Pools(ctx context.Context, pools ...string) ([]*Pool, error) {
	return c.get(ctx, "all", pools)
}

// get runs `zpool get` for the properties in list ("all" or a comma list) of
// the named pools.
func (c *Client) get(ctx context.Context, list string, pools []string) ([]*Pool, error) {
	return report(ctx, c, "zpool get", pools,
		form[*Pool]{[]string{"get", "-j", "--json-int", list}, parsePoolsJSON},
		form[*Pool]{[]string{"get", "-H", "-p", list}, parsePoolsText})
}

func poolName(p *Pool) string { return p.Name }

// Pool returns the properties of one pool. A pool that does not exist gives
// an error matching errors.ErrNotExist.
func (c *Client) Pool(ctx context.Context, name string) (*Pool, error) {
	if err := checkPool("zpool get", name); err != nil {
		return nil, err
	}
	ps, err := c.Pools(ctx, name)
	if err != nil {
		return nil, err
	}
	return find("zpool get", name, ps, poolName)
}

// Health returns the health of a pool (`zpool get health`).
func (c *Client) Health(ctx context.Context, name string) (State, error) {
	props, err := c.Get(ctx, name, "health")
	if err != nil {
		return "", err
	}
	return State(props.Property("health").Value), nil
}

// Features returns the state of the pool's feature flags, keyed by feature
// name without the "feature@" prefix.
func (c *Client) Features(ctx context.Context, name string) (map[string]FeatureState, error) {
	p, err := c.Pool(ctx, name)
	if err != nil {
		return nil, err
	}
	return p.Features, nil
}

// Get returns the named properties of a pool (all of them when none are
// named), including user properties, in the order zpool reports them. Use
// their typed accessors to read them:
//
//	ps, err := c.Get(ctx, "tank", "size", "autotrim")
//	size, err := ps.Property("size").Bytes()
//	trim, err := ps.Property("autotrim").Bool()
func (c *Client) Get(ctx context.Context, pool string, props ...string) (zfs.Properties, error) {
	const op = "zpool get"
	if err := checkPool(op, pool); err != nil {
		return nil, err
	}
	for _, p := range props {
		if err := checkPropName(op, pool, p); err != nil {
			return nil, err
		}
	}
	list := "all"
	if len(props) > 0 {
		list = strings.Join(props, ",")
	}
	ps, err := c.get(ctx, list, []string{pool})
	if err != nil {
		return nil, err
	}
	p, err := find(op, pool, ps, poolName)
	if err != nil {
		return nil, err
	}
	return p.Properties, nil
}

// Set sets a pool property (`zpool set prop=value pool`), including
// feature@name=enabled and user properties ("org.example:tag"). Pools have
// user properties since OpenZFS 2.2: before, Set of one fails with Kind
// NotSupported without running zpool (which would say "invalid property").
func (c *Client) Set(ctx context.Context, pool, prop, value string) error {
	const op = "zpool set"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkPropName(op, pool, prop); err != nil {
		return err
	}
	if strings.Contains(prop, ":") {
		v, err := c.zc.Version(ctx)
		if err != nil {
			return errs.WithOp(err, op)
		}
		if !v.AtLeast(2, 2) {
			return errs.Newf(errors.NotSupported, op, pool, "pool user properties (%s) need OpenZFS 2.2 or later (have %s)", prop, v)
		}
	}
	return c.run(ctx, op, pool, "set", prop+"="+value, pool)
}

// parsePoolsText parses `zpool get -H -p` output: "pool\tproperty\tvalue\tsource"
// lines, grouped by pool in the order they appear.
func parsePoolsText(out []byte) ([]*Pool, error) {
	var pools []*Pool
	byName := map[string]*Pool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			return nil, parseErrorf("zpool get", "line %d: want 4 tab-separated fields, got %d: %q", n, len(f), line)
		}
		// A value could hold a tab: the name and property come first, the
		// source last, and the value is everything between.
		name, prop, src := f[0], f[1], f[len(f)-1]
		value := strings.Join(f[2:len(f)-1], "\t")
		p := byName[name]
		if p == nil {
			p = &Pool{Name: name}
			byName[name] = p
			pools = append(pools, p)
		}
		p.Properties = append(p.Properties, zfs.Property{Name: prop, Value: value, Source: parseSource(src, "")})
	}
	if err := sc.Err(); err != nil {
		return nil, parseErrorf("zpool get", "%v", err)
	}
	for _, p := range pools {
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
	return pools, nil
}

// jsonPools is the document of `zpool get -j` and `zpool list -j`.
type jsonPools struct {
	Pools orderedObject `json:"pools"`
}

type jsonPool struct {
	Name       string        `json:"name"`
	State      string        `json:"state"`
	PoolGUID   jsonUint      `json:"pool_guid"`
	Properties orderedObject `json:"properties"` // of jsonProperty
}

type jsonProperty struct {
	Value  jsonString `json:"value"`
	Source struct {
		Type string `json:"type"`
		Data string `json:"data"`
	} `json:"source"`
}

// parsePoolsJSON parses `zpool get -j --json-int` (or `zpool list -j`)
// output.
func parsePoolsJSON(out []byte) ([]*Pool, error) {
	var doc jsonPools
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, parseErrorf("zpool get", "%v", err)
	}
	pools := make([]*Pool, 0, len(doc.Pools))
	for _, e := range doc.Pools {
		var jp jsonPool
		if err := json.Unmarshal(e.Value, &jp); err != nil {
			return nil, parseErrorf("zpool get", "pool %q: %v", e.Key, err)
		}
		if jp.Name == "" {
			jp.Name = e.Key
		}
		p := &Pool{Name: jp.Name, Properties: make(zfs.Properties, 0, len(jp.Properties))}
		for _, m := range jp.Properties {
			var v jsonProperty
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return nil, parseErrorf("zpool get", "pool %q: property %q: %v", jp.Name, m.Key, err)
			}
			p.Properties = append(p.Properties, zfs.Property{Name: m.Key, Value: string(v.Value), Source: parseSource(v.Source.Type, v.Source.Data)})
		}
		// OpenZFS 2.3 prints the guid and load_guid properties clamped to
		// INT64_MAX with --json-int; pool_guid is right, so use it.
		if jp.PoolGUID != 0 {
			for i := range p.Properties {
				if p.Properties[i].Name == "guid" {
					p.Properties[i].Value = strconv.FormatUint(uint64(jp.PoolGUID), 10)
				}
			}
		}
		if err := p.fill(); err != nil {
			return nil, err
		}
		if p.GUID == 0 {
			p.GUID = uint64(jp.PoolGUID)
		}
		if p.Health == "" && jp.State != "" {
			p.Health = State(jp.State)
		}
		pools = append(pools, p)
	}
	return pools, nil
}

// fill sets the typed fields from p.Properties, with the typed accessors of
// zfs.Property; a property that is absent or has no value ("-") leaves its
// field at the zero value (-1 for Fragmentation).
func (p *Pool) fill() error {
	p.Features = map[string]FeatureState{}
	p.Fragmentation = -1
	props := make(map[string]zfs.Property, len(p.Properties))
	for _, v := range p.Properties {
		props[v.Name] = v
		if f, ok := strings.CutPrefix(v.Name, "feature@"); ok {
			p.Features[f] = FeatureState(v.Value)
		}
	}
	var err error
	// get reads prop with the accessor read into dst, unless an earlier
	// property failed.
	get := func(prop string, read func(zfs.Property) error) {
		v, ok := props[prop]
		if !ok || err != nil || !v.IsSet() {
			return
		}
		if e := read(v); e != nil {
			err = parseErrorf("zpool get", "pool %s: %v", p.Name, e)
		}
	}
	num := func(prop string, dst *uint64) {
		get(prop, func(v zfs.Property) (e error) { *dst, e = v.Uint(); return e })
	}
	integer := func(prop string, dst *int) {
		get(prop, func(v zfs.Property) error {
			n, e := v.Int()
			*dst = int(n)
			return e
		})
	}
	ratio := func(prop string, dst *float64) {
		get(prop, func(v zfs.Property) (e error) { *dst, e = v.Ratio(); return e })
	}
	onoff := func(prop string, dst *bool) { *dst = props[prop].Value == "on" }
	str := func(prop string, dst *string) {
		if v := props[prop].Value; v != "-" {
			*dst = v
		}
	}
	num("guid", &p.GUID)
	p.Health = State(props["health"].Value)
	num("size", &p.Size)
	num("allocated", &p.Allocated)
	num("free", &p.Free)
	num("freeing", &p.Freeing)
	num("leaked", &p.Leaked)
	num("checkpoint", &p.Checkpoint)
	num("expandsize", &p.ExpandSize)
	integer("capacity", &p.Capacity)
	integer("fragmentation", &p.Fragmentation)
	ratio("dedupratio", &p.DedupRatio)
	num("bcloneused", &p.BcloneUsed)
	num("bclonesaved", &p.BcloneSaved)
	ratio("bcloneratio", &p.BcloneRatio)
	str("altroot", &p.AltRoot)
	onoff("readonly", &p.ReadOnly)
	str("cachefile", &p.CacheFile)
	integer("ashift", &p.Ashift)
	onoff("autoexpand", &p.Autoexpand)
	onoff("autoreplace", &p.Autoreplace)
	onoff("autotrim", &p.Autotrim)
	onoff("delegation", &p.Delegation)
	onoff("listsnapshots", &p.ListSnapshots)
	onoff("multihost", &p.Multihost)
	str("failmode", &p.FailMode)
	str("bootfs", &p.BootFS)
	str("comment", &p.Comment)
	str("compatibility", &p.Compatibility)
	integer("version", &p.Version)
	num("last_scrubbed_txg", &p.LastScrubbedTXG)
	return err
}

// parseErrorf reports output that could not be parsed.
func parseErrorf(op, format string, args ...any) error {
	return errs.Newf(errors.Other, op, "", "cannot parse output: %s", fmt.Sprintf(format, args...))
}
