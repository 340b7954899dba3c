// Command autosnap takes automatic snapshots and prunes them, for cron.
//
// In flag mode it takes one label's snapshots, as zfs-auto-snapshot does:
//
//	autosnap [-label hourly] [-keep 24] [-r] [-n] [-naming zfs-auto-snapshot|sanoid]
//	         [-cron EXPR] [-force] [-skip-unchanged] [-default-exclude] [-utc] [-v] dataset...
//
// Run it from cron as often as the shortest label needs (every 15 minutes
// for "frequent"): a period label (frequent, hourly, daily, weekly,
// monthly, yearly) is only taken when the dataset has none from the
// current period, so extra runs take nothing and a missed run catches up
// once. Datasets opt in or out with the com.sun:auto-snapshot and
// com.sun:auto-snapshot:<label> user properties (inherited). After the
// snapshots, the newest -keep snapshots of the label are kept on each
// dataset and the others destroyed (-keep 0 destroys nothing). -n changes
// nothing: it prints the plan and what pruning would destroy, with the
// space that would be freed.
//
// In config mode it reads a sanoid-like policy file in TOML:
//
//	autosnap -config /etc/gozfs/autosnap.toml [-n] [-v]
//
// The file (every key optional unless said otherwise):
//
//	naming = "sanoid"            # or "zfs-auto-snapshot" (the default)
//	# format = "autosnap_{time}_{label}"   # or a naming of your own
//	# layout = "2006-01-02_15:04:05"
//	timezone = "Local"           # for names and periods: an IANA zone, "Local" or "UTC" (the default)
//	property = "com.sun:auto-snapshot"
//
//	[template.production]
//	frequently = 0               # how many snapshots of each period label to keep;
//	hourly = 36                  # a label with a count above 0 is taken and pruned
//	daily = 30
//	weekly = 0
//	monthly = 3
//	yearly = 0
//	autosnap = true              # take snapshots
//	autoprune = true             # prune
//	skip_unchanged = false       # skip datasets with nothing written since their latest snapshot
//	default_exclude = false      # leave out datasets where com.sun:auto-snapshot is not set
//	pre_snapshot = ["/usr/local/bin/db-flush"]   # a command (argv, no shell) run before
//	post_snapshot = ["/usr/local/bin/db-thaw"]   # and after the snapshots
//
//	[[template.production.label]]  # labels of your own
//	name = "4hourly"             # required
//	cron = "0 */4 * * *"         # when it is due (default: every run, or the period of a period name)
//	keep = 12                    # keep the newest 12
//	grid = "1x1d(keep=all) | 14x1d"   # and/or a zrepl-style grid
//
//	[dataset."tank/home"]        # a dataset to manage
//	template = "production"
//	recursive = true             # with its descendants
//	hourly = 48                  # any template key overrides the template's
//
// A dataset section inside the tree of a recursive one takes its subtree
// out of the outer one. The hooks get the snapshots in the environment
// variable AUTOSNAP_SNAPSHOTS (comma-separated): those planned for
// pre_snapshot, those created for post_snapshot. A failing pre_snapshot
// command skips that dataset's snapshots and pruning.
//
// The exit status is 0 on success, 1 when anything failed (each failure is
// printed), 2 for bad usage or a bad config file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	rc := run(ctx, zfs.New(zfs.ClientOptions{}), time.Now(), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(rc)
}

// env is what a run needs besides its options.
type env struct {
	c       *zfs.Client
	hooks   command.Runner
	stdout  io.Writer
	stderr  io.Writer
	verbose bool
}

func run(ctx context.Context, c *zfs.Client, now time.Time, args []string, stdout, stderr io.Writer) int {
	return runEnv(ctx, env{c: c, hooks: &command.Exec{}, stdout: stdout, stderr: stderr}, now, args)
}

// runEnv is run with the hooks' runner given.
func runEnv(ctx context.Context, e env, now time.Time, args []string) int {
	stderr := e.stderr
	fl := flag.NewFlagSet("autosnap", flag.ContinueOnError)
	fl.SetOutput(stderr)
	config := fl.String("config", "", "read datasets and policies from this TOML `file`")
	label := fl.String("label", "hourly", "the label of the snapshots")
	keep := fl.Int("keep", 0, "keep the newest `N` snapshots of the label on each dataset (0: destroy none)")
	recursive := fl.Bool("r", false, "include the datasets' descendants")
	dryRun := fl.Bool("n", false, "dry run: change nothing, print what would be done")
	naming := fl.String("naming", "zfs-auto-snapshot", "snapshot names: zfs-auto-snapshot or sanoid")
	cronExpr := fl.String("cron", "", "take the label when this cron `expression` fired since its last snapshot")
	force := fl.Bool("force", false, "take the snapshots even if not due")
	skipUnchanged := fl.Bool("skip-unchanged", false, "skip datasets with nothing written since their latest snapshot")
	defaultExclude := fl.Bool("default-exclude", false, "leave out datasets where com.sun:auto-snapshot is not set")
	utc := fl.Bool("utc", false, "names and periods in UTC rather than local time")
	verbose := fl.Bool("v", false, "print the plan")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	e.verbose = *verbose || *dryRun
	if *config != "" {
		if fl.NArg() != 0 {
			fmt.Fprintln(stderr, "autosnap: -config takes no dataset arguments")
			return 2
		}
		jobs, err := loadConfig(*config, now)
		if err != nil {
			fmt.Fprintln(stderr, "autosnap:", err)
			return 2
		}
		rc := 0
		for _, j := range jobs {
			j.DryRun = *dryRun
			rc = max(rc, e.runJob(ctx, j))
		}
		return rc
	}
	if fl.NArg() == 0 || *keep < 0 {
		fmt.Fprintln(stderr, "usage: autosnap [-label l] [-keep n] [-r] [-n] [flags] dataset...  |  autosnap -config file [-n]")
		return 2
	}
	opts := autosnap.Options{
		Roots:          fl.Args(),
		Recursive:      *recursive,
		DryRun:         *dryRun,
		Force:          *force,
		SkipUnchanged:  *skipUnchanged,
		DefaultExclude: *defaultExclude,
		Now:            now,
		Location:       time.Local,
	}
	if *utc {
		opts.Location = time.UTC
	}
	switch *naming {
	case "zfs-auto-snapshot":
		opts.Naming = autosnap.ZFSAutoSnapshot()
	case "sanoid":
		opts.Naming = autosnap.Sanoid()
	default:
		fmt.Fprintf(stderr, "autosnap: unknown naming %q (zfs-auto-snapshot or sanoid)\n", *naming)
		return 2
	}
	l := autosnap.Label{Name: *label}
	if *keep > 0 {
		l.Keep = []retention.Rule{retention.KeepLast{N: *keep}}
	}
	if *cronExpr != "" {
		s, err := autosnap.Cron(*cronExpr, opts.Location)
		if err != nil {
			fmt.Fprintln(stderr, "autosnap:", err)
			return 2
		}
		l.Schedule = s
	}
	opts.Labels = []autosnap.Label{l}
	return e.runJob(ctx, job{Options: opts})
}

// job is one run: options and the hook commands.
type job struct {
	autosnap.Options
	pre, post []string
}

// runJob runs one job and prints what it did; it returns the exit status.
func (e env) runJob(ctx context.Context, j job) int {
	opts := j.Options
	if len(j.pre) > 0 {
		opts.Pre = func(ctx context.Context, p *autosnap.Plan) error {
			var snaps []string
			for _, lp := range p.Labels {
				for _, d := range lp.Datasets {
					snaps = append(snaps, d+"@"+lp.Snapshot)
				}
			}
			return e.hook(ctx, j.pre, snaps)
		}
	}
	if len(j.post) > 0 {
		opts.Post = func(ctx context.Context, r *autosnap.Result) error { return e.hook(ctx, j.post, r.Created) }
	}
	res, err := autosnap.Run(ctx, e.c, opts)
	if res == nil {
		if errors.Is(err, errors.ErrInvalidArgument) || errors.Is(err, errors.ErrInvalidName) {
			fmt.Fprintln(e.stderr, "autosnap:", err)
			return 2
		}
		fmt.Fprintln(e.stderr, "autosnap:", err)
		return 1
	}
	if e.verbose {
		res.Plan.WriteTo(e.stdout)
	} else {
		for _, w := range res.Plan.Warnings {
			fmt.Fprintln(e.stderr, "autosnap: warning:", w)
		}
	}
	for _, s := range res.Created {
		fmt.Fprintln(e.stdout, "created", s)
	}
	if p := res.Prune; p != nil {
		verb := "destroyed"
		if p.DryRun {
			verb = "would destroy"
		}
		for _, s := range p.Destroyed {
			fmt.Fprintln(e.stdout, verb, s)
		}
		if p.DryRun {
			approx := ""
			if !p.ReclaimExact {
				approx = "at least "
			}
			fmt.Fprintf(e.stdout, "would reclaim %s%d bytes\n", approx, p.Reclaim)
		}
		for _, s := range p.Plan.Future() {
			fmt.Fprintf(e.stderr, "autosnap: warning: %s is dated in the future (%s): kept; check the clock\n", s.Name, s.Creation.Format(time.RFC3339))
		}
	}
	if err != nil {
		for _, x := range errors.Errors(err) {
			fmt.Fprintln(e.stderr, "autosnap:", x)
		}
		return 1
	}
	return 0
}

// hook runs a hook command with the snapshots in AUTOSNAP_SNAPSHOTS, its
// output going to standard error.
func (e env) hook(ctx context.Context, argv []string, snaps []string) error {
	r := e.hooks
	if x, ok := r.(*command.Exec); ok {
		x2 := *x
		x2.Env = append(x2.Env, "AUTOSNAP_SNAPSHOTS="+strings.Join(snaps, ","))
		r = &x2
	}
	return r.Run(ctx, &command.Cmd{Name: argv[0], Args: argv[1:], Stdout: e.stderr, Stderr: e.stderr})
}
