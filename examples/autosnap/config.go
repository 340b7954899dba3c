package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/retention"
)

// config is the policy file, documented in the package comment.
type config struct {
	Naming   string              `toml:"naming"`
	Format   string              `toml:"format"`
	Layout   string              `toml:"layout"`
	Timezone string              `toml:"timezone"`
	Property string              `toml:"property"`
	Template map[string]settings `toml:"template"`
	Dataset  map[string]dsConfig `toml:"dataset"`
}

// settings are the keys a template or a dataset section sets; nil is
// unset.
type settings struct {
	Frequently     *int          `toml:"frequently"`
	Hourly         *int          `toml:"hourly"`
	Daily          *int          `toml:"daily"`
	Weekly         *int          `toml:"weekly"`
	Monthly        *int          `toml:"monthly"`
	Yearly         *int          `toml:"yearly"`
	Autosnap       *bool         `toml:"autosnap"`
	Autoprune      *bool         `toml:"autoprune"`
	SkipUnchanged  *bool         `toml:"skip_unchanged"`
	DefaultExclude *bool         `toml:"default_exclude"`
	PreSnapshot    []string      `toml:"pre_snapshot"`
	PostSnapshot   []string      `toml:"post_snapshot"`
	Label          []labelConfig `toml:"label"`
}

type labelConfig struct {
	Name string `toml:"name"`
	Cron string `toml:"cron"`
	Keep int    `toml:"keep"`
	Grid string `toml:"grid"`
}

type dsConfig struct {
	settings
	Template  string `toml:"template"`
	Recursive bool   `toml:"recursive"`
}

// over returns s with the keys o sets replacing s's.
func (s settings) over(o settings) settings {
	pick := func(a, b *int) *int {
		if b != nil {
			return b
		}
		return a
	}
	pickB := func(a, b *bool) *bool {
		if b != nil {
			return b
		}
		return a
	}
	s.Frequently, s.Hourly, s.Daily = pick(s.Frequently, o.Frequently), pick(s.Hourly, o.Hourly), pick(s.Daily, o.Daily)
	s.Weekly, s.Monthly, s.Yearly = pick(s.Weekly, o.Weekly), pick(s.Monthly, o.Monthly), pick(s.Yearly, o.Yearly)
	s.Autosnap, s.Autoprune = pickB(s.Autosnap, o.Autosnap), pickB(s.Autoprune, o.Autoprune)
	s.SkipUnchanged, s.DefaultExclude = pickB(s.SkipUnchanged, o.SkipUnchanged), pickB(s.DefaultExclude, o.DefaultExclude)
	if o.PreSnapshot != nil {
		s.PreSnapshot = o.PreSnapshot
	}
	if o.PostSnapshot != nil {
		s.PostSnapshot = o.PostSnapshot
	}
	if o.Label != nil {
		s.Label = o.Label
	}
	return s
}

// loadConfig reads the policy file and returns one job per dataset
// section, in name order.
func loadConfig(path string, now time.Time) ([]job, error) {
	var cfg config
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	if len(cfg.Dataset) == 0 {
		return nil, fmt.Errorf("%s: no [dataset.\"name\"] section", path)
	}
	base := autosnap.Options{Now: now, Property: cfg.Property}
	switch {
	case cfg.Format != "" || cfg.Layout != "":
		if cfg.Naming != "" {
			return nil, fmt.Errorf("%s: naming and format/layout both set", path)
		}
		base.Naming = autosnap.Naming{Format: cfg.Format, Layout: cfg.Layout}
	case cfg.Naming == "" || cfg.Naming == "zfs-auto-snapshot":
		base.Naming = autosnap.ZFSAutoSnapshot()
	case cfg.Naming == "sanoid":
		base.Naming = autosnap.Sanoid()
	default:
		return nil, fmt.Errorf("%s: unknown naming %q (zfs-auto-snapshot or sanoid)", path, cfg.Naming)
	}
	switch cfg.Timezone {
	case "", "UTC":
		base.Location = time.UTC
	case "Local":
		base.Location = time.Local
	default:
		loc, err := time.LoadLocation(cfg.Timezone)
		if err != nil {
			return nil, fmt.Errorf("%s: timezone: %v", path, err)
		}
		base.Location = loc
	}
	names := make([]string, 0, len(cfg.Dataset))
	for name := range cfg.Dataset {
		names = append(names, name)
	}
	sort.Strings(names)
	var jobs []job
	for _, name := range names {
		d := cfg.Dataset[name]
		s := settings{}
		if d.Template != "" {
			t, ok := cfg.Template[d.Template]
			if !ok {
				return nil, fmt.Errorf("%s: dataset %q: no template %q", path, name, d.Template)
			}
			s = t
		}
		s = s.over(d.settings)
		j, err := makeJob(base, name, d.Recursive, s, names)
		if err != nil {
			return nil, fmt.Errorf("%s: dataset %q: %v", path, name, err)
		}
		if j != nil {
			jobs = append(jobs, *j)
		}
	}
	return jobs, nil
}

// makeJob turns a dataset's settings into a job; nil when it neither
// snapshots nor prunes.
func makeJob(base autosnap.Options, name string, recursive bool, s settings, all []string) (*job, error) {
	snap := s.Autosnap == nil || *s.Autosnap
	prune := s.Autoprune == nil || *s.Autoprune
	if !snap && !prune {
		return nil, nil
	}
	o := base
	o.Roots = []string{name}
	o.Recursive = recursive
	o.NoSnapshot = !snap
	o.NoPrune = !prune
	o.SkipUnchanged = s.SkipUnchanged != nil && *s.SkipUnchanged
	o.DefaultExclude = s.DefaultExclude != nil && *s.DefaultExclude
	if recursive {
		for _, other := range all {
			if strings.HasPrefix(other, name+"/") {
				o.Exclude = append(o.Exclude, other)
			}
		}
	}
	// Period labels, named as the naming's tool names them.
	periods := []struct {
		p retention.Period
		n *int
	}{
		{retention.Frequently, s.Frequently}, {retention.Hourly, s.Hourly}, {retention.Daily, s.Daily},
		{retention.Weekly, s.Weekly}, {retention.Monthly, s.Monthly}, {retention.Yearly, s.Yearly},
	}
	for _, p := range periods {
		if p.n == nil || *p.n == 0 {
			continue
		}
		if *p.n < 0 {
			return nil, fmt.Errorf("%s = %d: a count is not negative", p.p, *p.n)
		}
		label := p.p.String()
		if p.p == retention.Frequently && o.Naming == autosnap.ZFSAutoSnapshot() {
			label = "frequent"
		}
		o.Labels = append(o.Labels, autosnap.Label{Name: label, Keep: []retention.Rule{retention.KeepLast{N: *p.n}}})
	}
	for _, l := range s.Label {
		al := autosnap.Label{Name: l.Name}
		if l.Cron != "" {
			sched, err := autosnap.Cron(l.Cron, o.Location)
			if err != nil {
				return nil, err
			}
			al.Schedule = sched
		}
		if l.Keep < 0 {
			return nil, fmt.Errorf("label %q: keep = %d: not negative", l.Name, l.Keep)
		}
		if l.Keep > 0 {
			al.Keep = append(al.Keep, retention.KeepLast{N: l.Keep})
		}
		if l.Grid != "" {
			g, err := retention.ParseGrid(l.Grid)
			if err != nil {
				return nil, err
			}
			al.Keep = append(al.Keep, retention.KeepGrid{Grid: g})
		}
		o.Labels = append(o.Labels, al)
	}
	if len(o.Labels) == 0 {
		return nil, fmt.Errorf("no label: set a period count (hourly = 24, ...) or a [[template.x.label]]")
	}
	if len(s.PreSnapshot) > 0 && s.PreSnapshot[0] == "" {
		return nil, fmt.Errorf("pre_snapshot: empty command")
	}
	if len(s.PostSnapshot) > 0 && s.PostSnapshot[0] == "" {
		return nil, fmt.Errorf("post_snapshot: empty command")
	}
	return &job{Options: o, pre: s.PreSnapshot, post: s.PostSnapshot}, nil
}
