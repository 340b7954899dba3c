package main

import (
	"context"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/zfs"
)

// sshClient returns a client whose commands run on s.host over ssh (the SSH
// runner of package command: one connection, a session per command, host
// keys checked against known_hosts).
func sshClient(ctx context.Context, s side, o *options) (*zfs.Client, func(), error) {
	opts := command.SSHOptions{
		Host:                  s.host,
		User:                  s.user,
		KeyFiles:              o.sshKey,
		Sudo:                  o.sudo,
		InsecureIgnoreHostKey: o.insecureSSH,
	}
	if o.knownHosts != "" {
		opts.KnownHostsFiles = []string{o.knownHosts}
	}
	if o.zfsPath != "" {
		opts.Paths = map[string]string{"zfs": o.zfsPath}
	}
	r, err := command.NewSSH(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return zfs.New(zfs.ClientOptions{Runner: r}), func() { r.Close() }, nil
}
