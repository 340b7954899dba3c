package command_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/zfs"
)

// Run zfs on another host: the SSH runner plugs into a client like any other
// runner. Host keys are checked against ~/.ssh/known_hosts, keys come from
// ~/.ssh/id_* and ssh-agent unless the options name others.
func ExampleNewSSH() {
	ctx := context.Background()
	r, err := command.NewSSH(ctx, command.SSHOptions{
		Host:     "backup.example.com",
		User:     "zfsbackup",
		KeyFiles: []string{"/etc/gozfs/id_ed25519"},
		Sudo:     "sudo", // runs `sudo -n -- zfs ...`
		Paths:    map[string]string{"zfs": "/usr/sbin/zfs", "zpool": "/usr/sbin/zpool"},
		Logger:   slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	backup := zfs.New(zfs.ClientOptions{Runner: r})
	snaps, err := backup.List(ctx, zfs.ListOptions{
		Roots: []string{"backup/tank/home"}, Recursive: true, Types: []zfs.Type{zfs.TypeSnapshot},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(snaps), "snapshots on the backup host")
}

// A host behind a bastion: the jump host has its own address, user and keys.
// Keepalives every 10s notice a connection that went silent within 30s; the
// next command reconnects.
func ExampleSSHOptions_jump() {
	r, err := command.NewSSH(context.Background(), command.SSHOptions{
		Host:              "10.0.0.12:22",
		User:              "root",
		AgentSocket:       "/run/user/1000/ssh-agent.sock",
		KnownHostsFiles:   []string{"/etc/gozfs/known_hosts"},
		KeepAliveInterval: 10 * time.Second,
		KeepAliveCountMax: 3,
		Jump: &command.SSHOptions{
			Host:            "bastion.example.com",
			User:            "jump",
			AgentSocket:     "/run/user/1000/ssh-agent.sock",
			KnownHostsFiles: []string{"/etc/gozfs/known_hosts"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
}

// A host key that known_hosts does not vouch for is refused with a
// *HostKeyError: tell an unknown host from a changed key, and show the
// fingerprint so that someone can compare it with the host's own.
func ExampleHostKeyError() {
	_, err := command.NewSSH(context.Background(), command.SSHOptions{Host: "new-host.example.com"})
	var he *command.HostKeyError
	switch {
	case errors.As(err, &he) && he.Unknown():
		fmt.Printf("first connection to %s: check that its key is %s, then add it to known_hosts\n", he.Host, he.Fingerprint)
	case errors.As(err, &he):
		fmt.Printf("the key of %s changed to %s; on record: %v\n", he.Host, he.Fingerprint, he.Known)
	case err != nil:
		fmt.Println(err)
	}
}
