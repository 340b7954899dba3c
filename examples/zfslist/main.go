// Command zfslist lists ZFS datasets like `zfs list`, with one zfs command
// whatever the number of datasets, as an aligned table, tab-separated rows
// or JSON. It streams: rows are printed as zfs produces them (except in the
// aligned table, which needs every row to size its columns).
//
// Usage:
//
//	zfslist [-o prop,...] [-r | -d depth] [-t type,...] [-s prop] [-S prop]
//	        [-sources] [-H | -json] [-text] [dataset ...]
//
// Examples:
//
//	zfslist -r -t snapshot -o used,com.example:keep tank
//	zfslist -d 1 -S used -o used,available,mountpoint tank
//	zfslist -json -r -o all tank/home
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gozfs/gozfs/zfs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, zfs.ClientOptions{}))
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func run(args []string, stdout, stderr io.Writer, copts zfs.ClientOptions) int {
	fl := flag.NewFlagSet("zfslist", flag.ContinueOnError)
	fl.SetOutput(stderr)
	props := fl.String("o", "used,available,referenced,mountpoint", "comma-separated properties to show (any, including user properties and \"all\")")
	recursive := fl.Bool("r", false, "list descendants")
	depth := fl.Int("d", 0, "list descendants at most this deep")
	types := fl.String("t", "", "comma-separated types: filesystem, volume, snapshot, bookmark, all")
	var asc, desc stringList
	fl.Var(&asc, "s", "sort by this property, ascending (repeatable)")
	fl.Var(&desc, "S", "sort by this property, descending (repeatable)")
	scripted := fl.Bool("H", false, "tab-separated output without header")
	asJSON := fl.Bool("json", false, "JSON output, one object per line")
	sources := fl.Bool("sources", false, "show each value's source")
	text := fl.Bool("text", false, "parse zfs's text output even where JSON is available")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	opts := zfs.ListOptions{Roots: fl.Args(), Recursive: *recursive, Depth: *depth}
	if *props != "" {
		opts.Properties = strings.Split(*props, ",")
	}
	// Sources nobody shows need not be read: on OpenZFS before 2.3 that
	// means one line of zfs output per dataset instead of one per property.
	opts.NoSources = !*sources && !*asJSON && !slices.Contains(opts.Properties, "all")
	if *types != "" {
		for _, t := range strings.Split(*types, ",") {
			switch t {
			case "filesystem":
				opts.Types = append(opts.Types, zfs.TypeFilesystem)
			case "volume":
				opts.Types = append(opts.Types, zfs.TypeVolume)
			case "snapshot", "snap":
				opts.Types = append(opts.Types, zfs.TypeSnapshot)
			case "bookmark":
				opts.Types = append(opts.Types, zfs.TypeBookmark)
			case "all":
				opts.Types = append(opts.Types, zfs.TypeFilesystem, zfs.TypeVolume, zfs.TypeSnapshot, zfs.TypeBookmark)
			default:
				fmt.Fprintf(stderr, "zfslist: unknown type %q\n", t)
				return 2
			}
		}
	}
	for _, s := range asc {
		opts.Sort = append(opts.Sort, zfs.SortKey{Property: s})
	}
	for _, s := range desc {
		opts.Sort = append(opts.Sort, zfs.SortKey{Property: s, Descending: true})
	}
	if *text {
		copts.TextOutput = true
	}
	c := zfs.New(copts)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var out rowWriter
	switch {
	case *asJSON:
		out = &jsonWriter{enc: json.NewEncoder(stdout)}
	case *scripted:
		out = &tableWriter{w: stdout, sources: *sources, header: false}
	default:
		tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
		defer tw.Flush()
		out = &tableWriter{w: tw, sources: *sources, header: true}
	}
	for d, err := range c.Datasets(ctx, opts) {
		if err != nil {
			fmt.Fprintln(stderr, "zfslist:", err)
			return 1
		}
		if err := out.write(d); err != nil {
			fmt.Fprintln(stderr, "zfslist:", err)
			return 1
		}
	}
	return 0
}

type rowWriter interface{ write(*zfs.Dataset) error }

type tableWriter struct {
	w       io.Writer
	sources bool
	header  bool
	done    bool
}

func (t *tableWriter) write(d *zfs.Dataset) error {
	if t.header && !t.done {
		cols := []string{"NAME"}
		for _, p := range d.Properties() {
			cols = append(cols, strings.ToUpper(p.Name))
			if t.sources {
				cols = append(cols, "SOURCE")
			}
		}
		if _, err := fmt.Fprintln(t.w, strings.Join(cols, "\t")); err != nil {
			return err
		}
	}
	t.done = true
	row := []string{d.Name()}
	for _, p := range d.Properties() {
		// A tab or newline inside a value would break the row.
		row = append(row, strings.NewReplacer("\t", `\t`, "\n", `\n`).Replace(p.Value))
		if t.sources {
			row = append(row, p.Source.String())
		}
	}
	_, err := fmt.Fprintln(t.w, strings.Join(row, "\t"))
	return err
}

type jsonWriter struct{ enc *json.Encoder }

type jsonProp struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

type jsonRow struct {
	Name       string              `json:"name"`
	Type       string              `json:"type"`
	GUID       uint64              `json:"guid,string"`
	CreateTXG  uint64              `json:"createtxg"`
	Creation   int64               `json:"creation"`
	Properties map[string]jsonProp `json:"properties"`
}

func (j *jsonWriter) write(d *zfs.Dataset) error {
	r := jsonRow{Name: d.Name(), Type: d.Type().String(), GUID: d.GUID(), CreateTXG: d.CreateTXG(), Creation: d.Creation().Unix(), Properties: map[string]jsonProp{}}
	for _, p := range d.Properties() {
		r.Properties[p.Name] = jsonProp{Value: p.Value, Source: p.Source.String()}
	}
	return j.enc.Encode(r)
}
