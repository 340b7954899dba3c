package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gozfs/gozfs/zfs"
)

// side is one end of the replication: a dataset, on this host or on a host
// reached over ssh.
type side struct {
	// user and host (host or host:port) are set for a remote side.
	user, host string
	dataset    string
}

// parseSide parses "pool/path" or "ssh://[user@]host[:port]/pool/path".
func parseSide(s string) (side, error) {
	if !strings.HasPrefix(s, "ssh://") {
		if strings.Contains(s, "://") {
			return side{}, fmt.Errorf("%q: only ssh:// addresses are supported", s)
		}
		return side{dataset: s}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return side{}, fmt.Errorf("%q: %w", s, err)
	}
	ds := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || ds == "" || u.RawQuery != "" || u.Fragment != "" {
		return side{}, fmt.Errorf("%q: want ssh://[user@]host[:port]/pool/path", s)
	}
	return side{user: u.User.Username(), host: u.Host, dataset: ds}, nil
}

func (s side) String() string {
	if s.host == "" {
		return s.dataset
	}
	if s.user != "" {
		return "ssh://" + s.user + "@" + s.host + "/" + s.dataset
	}
	return "ssh://" + s.host + "/" + s.dataset
}

// client returns the client that runs this side's zfs commands, and a
// function that releases it.
func (s side) client(ctx context.Context, o *options) (*zfs.Client, func(), error) {
	if s.host == "" {
		return zfs.New(zfs.ClientOptions{}), func() {}, nil
	}
	return sshClient(ctx, s, o)
}
