// Command replicate replicates ZFS filesystems and volumes, with their
// descendants, to another dataset on this host or on another host over ssh,
// using package replication: it plans from one listing per side, sends
// every snapshot since the common base (zfs send -I runs), resumes
// interrupted transfers, keeps a cursor bookmark of the last replicated
// snapshot on the source so that the source can be pruned, and never touches
// a target that diverged unless told to with -F.
//
//	replicate -r tank/home backup/home                         # local to local
//	replicate -r tank/home ssh://backup@nas/backup/home        # to another host over ssh
//	replicate -r -n tank/home backup/home                      # dry run: print the plan
//	replicate -r -progress tank/home backup/home               # with a progress bar
//	replicate -r -every 15m -http :8080 tank/home backup/home  # as a daemon
//
// A dataset argument is pool/path on this host, or
// ssh://[user@]host[:port]/pool/path on another. A remote host is reached
// with ssh keys (-ssh-key, else ~/.ssh/id_* and ssh-agent), its host key
// checked against ~/.ssh/known_hosts; -sudo runs zfs there through sudo.
//
// An interrupted run is simply run again: the plan picks up the partial
// receive and resumes it (zfs send -t). Exit status: 0 when everything was
// replicated (or was up to date), 1 when a dataset failed or was blocked by
// a conflict, 2 for bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream/progressbar"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// options are replicate's command line.
type options struct {
	src, dst    side
	recursive   bool
	dryRun      bool
	name        string
	steps       string
	snapshots   string
	exclude     listFlag
	force       bool
	props       bool
	set         listFlag
	unset       listFlag
	mount       bool
	raw         bool
	compressed  bool
	parallel    int
	retries     int
	progress    bool
	every       time.Duration
	httpAddr    string
	verbose     bool
	sshKey      listFlag
	knownHosts  string
	sudo        string
	zfsPath     string
	insecureSSH bool
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("replicate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.recursive, "r", false, "replicate the descendants too")
	fs.BoolVar(&o.dryRun, "n", false, "dry run: print the plan (with size estimates) and exit")
	fs.StringVar(&o.name, "name", "", "replication name, when one source is replicated to several targets (hold tag and cursor names)")
	fs.StringVar(&o.steps, "steps", "runs", "how snapshots are grouped: runs (zfs send -I), each (one step per snapshot), latest (only the newest)")
	fs.StringVar(&o.snapshots, "snapshots", "", "replicate only snapshots whose name matches this regular expression")
	fs.Var(&o.exclude, "exclude", "source dataset to leave out with its descendants (repeatable)")
	fs.BoolVar(&o.force, "F", false, "resolve conflicts on the target: roll back to the common base (destroying newer snapshots), discard unresumable partial receives, receive over a target without snapshots")
	fs.BoolVar(&o.props, "p", false, "send properties (zfs send -p)")
	fs.Var(&o.set, "o", "property=value to set on received datasets (zfs receive -o, repeatable)")
	fs.Var(&o.unset, "x", "property to exclude on received datasets (zfs receive -x, repeatable)")
	fs.BoolVar(&o.mount, "mount", false, "mount received filesystems (default: zfs receive -u)")
	fs.BoolVar(&o.raw, "raw", false, "raw sends (zfs send -w): encrypted datasets stay encrypted")
	fs.BoolVar(&o.compressed, "c", false, "compressed sends (zfs send -c): blocks travel compressed as on disk, a smaller stream over ssh")
	fs.IntVar(&o.parallel, "parallel", 1, "datasets replicated at once")
	fs.IntVar(&o.retries, "retries", replication.DefaultRetries, "times an interrupted step is resumed within a run")
	fs.BoolVar(&o.progress, "progress", false, "show a progress bar")
	fs.DurationVar(&o.every, "every", 0, "run as a daemon: replicate at this interval")
	fs.StringVar(&o.httpAddr, "http", "", "with -every: serve the status as JSON at http://ADDR/status")
	fs.BoolVar(&o.verbose, "v", false, "log every step")
	fs.Var(&o.sshKey, "ssh-key", "private key file for ssh (repeatable; default ~/.ssh/id_* and ssh-agent)")
	fs.StringVar(&o.knownHosts, "ssh-known-hosts", "", "known_hosts file (default ~/.ssh/known_hosts)")
	fs.BoolVar(&o.insecureSSH, "ssh-insecure-ignore-host-key", false, "do not check ssh host keys (tests only)")
	fs.StringVar(&o.sudo, "sudo", "", "run zfs on remote hosts through this (sudo or doas)")
	fs.StringVar(&o.zfsPath, "zfs-path", "", "path of zfs on remote hosts, e.g. /usr/sbin/zfs (default: found on the remote $PATH)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: replicate [flags] [ssh://[user@]host[:port]/]pool/source [ssh://[user@]host[:port]/]pool/target")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return nil, errors.New("need a source and a target")
	}
	var err error
	if o.src, err = parseSide(fs.Arg(0)); err != nil {
		return nil, err
	}
	if o.dst, err = parseSide(fs.Arg(1)); err != nil {
		return nil, err
	}
	switch {
	case o.httpAddr != "" && o.every == 0:
		return nil, errors.New("-http needs -every")
	case o.dryRun && o.every != 0:
		return nil, errors.New("-n and -every do not go together")
	}
	return o, nil
}

func (o *options) planOptions() (replication.PlanOptions, error) {
	po := replication.PlanOptions{Recursive: o.recursive, Name: o.name, Exclude: o.exclude}
	switch o.steps {
	case "runs":
		po.Steps = replication.StepRuns
	case "each":
		po.Steps = replication.StepEach
	case "latest":
		po.Steps = replication.StepLatest
	default:
		return po, fmt.Errorf("-steps %q: want runs, each or latest", o.steps)
	}
	if o.snapshots != "" {
		re, err := regexp.Compile(o.snapshots)
		if err != nil {
			return po, fmt.Errorf("-snapshots: %w", err)
		}
		po.Snapshots = re.MatchString
	}
	return po, nil
}

func (o *options) runOptions(log *slog.Logger) (replication.RunOptions, error) {
	ro := replication.RunOptions{
		Send:     send.Options{Properties: o.props, Raw: o.raw, Compressed: o.compressed},
		Receive:  recv.Options{NoMount: !o.mount, ExcludeProperties: o.unset},
		Force:    o.force,
		Parallel: o.parallel,
		Retries:  o.retries,
	}
	if o.retries == 0 {
		ro.Retries = -1
	}
	if len(o.set) > 0 {
		ro.Receive.SetProperties = map[string]string{}
		for _, kv := range o.set {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return ro, fmt.Errorf("-o %q: want property=value", kv)
			}
			ro.Receive.SetProperties[k] = v
		}
	}
	if o.verbose {
		ro.Logger = log
	}
	return ro, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "replicate:", err)
		}
		return 2
	}
	po, err := o.planOptions()
	if err != nil {
		fmt.Fprintln(stderr, "replicate:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ro, err := o.runOptions(log)
	if err != nil {
		fmt.Fprintln(stderr, "replicate:", err)
		return 2
	}
	src, closeSrc, err := o.src.client(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "replicate:", err)
		return 1
	}
	defer closeSrc()
	dst, closeDst, err := o.dst.client(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "replicate:", err)
		return 1
	}
	defer closeDst()
	job := &job{src: replication.Endpoint{Client: src, Dataset: o.src.dataset},
		dst: replication.Endpoint{Client: dst, Dataset: o.dst.dataset}, po: po, ro: ro, log: log}

	if o.dryRun {
		p, err := replication.NewPlan(ctx, job.src, job.dst, po)
		if err != nil {
			fmt.Fprintln(stderr, "replicate:", err)
			return 1
		}
		if err := p.Estimate(ctx, ro); err != nil {
			fmt.Fprintln(stderr, "replicate: size estimates:", err)
		}
		fmt.Fprintf(stdout, "%+v", p)
		if p.Err() != nil {
			return 1
		}
		return 0
	}
	if o.every > 0 {
		return job.daemon(ctx, o.every, o.httpAddr, stdout)
	}
	var bar *progressbar.Bar
	if o.progress {
		job.ro.Progress = func(pr replication.Progress) {
			if bar == nil {
				bar = progressbar.New(stderr, pr.Overall.Total, progressbar.Options{Description: "replicate"})
			}
			bar.Update(pr.Overall)
		}
	}
	res, err := job.once(ctx)
	if bar != nil {
		bar.Finish()
	}
	if res != nil {
		fmt.Fprint(stdout, res)
	}
	if err != nil {
		fmt.Fprintln(stderr, "replicate:", err)
		return 1
	}
	return 0
}

// job is one replication, run once or repeatedly.
type job struct {
	src, dst replication.Endpoint
	po       replication.PlanOptions
	ro       replication.RunOptions
	log      *slog.Logger

	mu     sync.Mutex
	status status
}

// status is what the daemon reports at /status.
type status struct {
	Source    string          `json:"source"`
	Target    string          `json:"target"`
	Running   bool            `json:"running"`
	LastStart time.Time       `json:"last_start,omitzero"`
	LastEnd   time.Time       `json:"last_end,omitzero"`
	NextRun   time.Time       `json:"next_run,omitzero"`
	LastError string          `json:"last_error,omitempty"`
	Plan      string          `json:"plan,omitempty"`
	Datasets  []datasetStatus `json:"datasets,omitempty"`
	Progress  *progressStatus `json:"progress,omitempty"`
	Runs      int             `json:"runs"`
	Failed    int             `json:"failed_runs"`
}

type datasetStatus struct {
	Target   string   `json:"target"`
	Sent     []string `json:"sent,omitempty"`
	Resumed  []string `json:"resumed,omitempty"`
	Skipped  string   `json:"skipped,omitempty"`
	Forced   []string `json:"forced,omitempty"`
	Cursor   string   `json:"cursor,omitempty"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

type progressStatus struct {
	Target string  `json:"target"`
	Step   string  `json:"step"`
	Bytes  int64   `json:"bytes"`
	Total  int64   `json:"total"`
	Rate   float64 `json:"rate_bytes_per_second"`
	ETA    string  `json:"eta,omitempty"`
}

// once plans and runs.
func (j *job) once(ctx context.Context) (*replication.Result, error) {
	p, err := replication.NewPlan(ctx, j.src, j.dst, j.po)
	if err != nil {
		return nil, err
	}
	j.mu.Lock()
	j.status.Plan = p.String()
	j.mu.Unlock()
	return replication.Run(ctx, p, j.ro)
}

// daemon replicates every interval until ctx ends, serving the status.
func (j *job) daemon(ctx context.Context, every time.Duration, addr string, stdout io.Writer) int {
	j.status.Source, j.status.Target = j.src.Dataset, j.dst.Dataset
	user := j.ro.Progress
	j.ro.Progress = func(pr replication.Progress) {
		j.mu.Lock()
		ps := &progressStatus{Target: pr.Target, Step: pr.Step.To, Bytes: pr.Overall.Bytes, Total: pr.Overall.Total, Rate: pr.Overall.Rate}
		if pr.Overall.ETA > 0 {
			ps.ETA = pr.Overall.ETA.Round(time.Second).String()
		}
		j.status.Progress = ps
		j.mu.Unlock()
		if user != nil {
			user(pr)
		}
	}
	var wg sync.WaitGroup
	if addr != "" {
		srv := &http.Server{Addr: addr, Handler: j, ReadHeaderTimeout: 10 * time.Second}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				j.log.Error("http", "err", err)
			}
		}()
		defer wg.Wait()
		defer srv.Close()
		j.log.Info("serving status", "addr", addr)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		j.mu.Lock()
		j.status.Running, j.status.LastStart, j.status.Progress = true, time.Now(), nil
		j.mu.Unlock()
		res, err := j.once(ctx)
		j.record(res, err, every)
		if res != nil {
			fmt.Fprint(stdout, res)
		}
		if err != nil {
			j.log.Error("run", "err", err)
		}
		select {
		case <-ctx.Done():
			return 0
		case <-t.C:
		}
	}
}

func (j *job) record(res *replication.Result, err error, every time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &j.status
	s.Running, s.LastEnd, s.NextRun, s.Progress = false, time.Now(), time.Now().Add(every), nil
	s.Runs++
	s.LastError = ""
	if err != nil {
		s.Failed++
		s.LastError = err.Error()
	}
	if res == nil {
		return
	}
	s.Datasets = s.Datasets[:0]
	for _, d := range res.Datasets {
		ds := datasetStatus{Target: d.Target, Sent: d.Sent, Resumed: d.Resumed, Skipped: d.Skipped,
			Forced: d.Forced, Cursor: d.Cursor, Warnings: d.Warnings}
		if d.Err != nil {
			ds.Error = d.Err.Error()
		}
		s.Datasets = append(s.Datasets, ds)
	}
}

// ServeHTTP serves the status as JSON at /status.
func (j *job) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/status" {
		http.NotFound(w, r)
		return
	}
	j.mu.Lock()
	b, err := json.MarshalIndent(&j.status, "", "  ")
	j.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}
