package command

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError reports a host key that the known_hosts files do not vouch
// for: the host is unknown to them (Known is empty), its key changed (Known
// lists the keys on record, and someone may be impersonating the host), or the
// key is marked @revoked. The connection is refused in every case. Compare
// Fingerprint with the one the host's administrator reads with
// `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`, then add the key with
// `ssh-keyscan` to a known_hosts file (or fix the stale line that Known names).
type HostKeyError struct {
	// Host is the address as dialled, "host:port".
	Host string
	// KeyType is the type of the key the host presented, e.g. "ssh-ed25519".
	KeyType string
	// Fingerprint is the presented key's SHA256 fingerprint, as ssh-keygen -l
	// prints it: "SHA256:" and unpadded base64.
	Fingerprint string
	// Known lists the keys the known_hosts files hold for Host, each as
	// "file:line type SHA256:..."; empty when the host is unknown.
	Known []string
	// Revoked is set when the presented key is marked @revoked.
	Revoked bool
	// Files are the known_hosts files that were consulted.
	Files []string
}

// Unknown reports whether the host has no key on record at all (as opposed
// to a changed or revoked key).
func (e *HostKeyError) Unknown() bool { return len(e.Known) == 0 && !e.Revoked }

// Error describes the failure, naming the host and the key's fingerprint.
func (e *HostKeyError) Error() string {
	files := strings.Join(e.Files, ", ")
	if files == "" {
		files = "no known_hosts file"
	}
	switch {
	case e.Revoked:
		return fmt.Sprintf("ssh: host key of %s is revoked: %s %s", e.Host, e.KeyType, e.Fingerprint)
	case len(e.Known) == 0:
		return fmt.Sprintf("ssh: unknown host %s: its %s key %s is not in %s", e.Host, e.KeyType, e.Fingerprint, files)
	default:
		return fmt.Sprintf("ssh: host key of %s changed (possible impersonation): it presented %s %s, known_hosts has %s",
			e.Host, e.KeyType, e.Fingerprint, strings.Join(e.Known, "; "))
	}
}

// defaultKnownHosts are OpenSSH's default known_hosts files; those that
// exist are used when SSHOptions.KnownHostsFiles is empty.
func defaultKnownHosts() []string {
	var files []string
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".ssh", "known_hosts"))
	}
	files = append(files, "/etc/ssh/ssh_known_hosts")
	var exist []string
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			exist = append(exist, f)
		}
	}
	return exist
}

// hostKeyChecker checks host keys against known_hosts files.
type hostKeyChecker struct {
	files []string
	cb    ssh.HostKeyCallback
}

// newHostKeyChecker reads the known_hosts files (the defaults if files is
// nil). Files that were named explicitly must exist and parse.
func newHostKeyChecker(files []string) (*hostKeyChecker, error) {
	if len(files) == 0 {
		files = defaultKnownHosts()
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return nil, fmt.Errorf("command: known_hosts: %w", err)
	}
	return &hostKeyChecker{files: files, cb: cb}, nil
}

// callback is the ssh.HostKeyCallback that turns knownhosts' errors into a
// *HostKeyError.
func (h *hostKeyChecker) callback(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := h.cb(hostname, remote, key)
	if err == nil {
		return nil
	}
	he := &HostKeyError{Host: hostname, KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key), Files: h.files}
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &ke):
		for _, k := range ke.Want {
			he.Known = append(he.Known, fmt.Sprintf("%s:%d %s %s", k.Filename, k.Line, k.Key.Type(), ssh.FingerprintSHA256(k.Key)))
		}
	case errors.As(err, &re):
		he.Revoked = true
	default:
		return err
	}
	return he
}

// algorithms returns the host key algorithms to ask the server for, in
// order: those of the keys known for hostname first, so that a server with
// several host keys shows the one on record rather than one we cannot check,
// then the others (a server that no longer has the key on record shows
// another, which is then reported as changed). Nil (the library's defaults)
// when nothing is known.
func (h *hostKeyChecker) algorithms(hostname string) []string {
	probe, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(h.cb(hostname, &net.TCPAddr{}, probe), &ke) {
		return nil
	}
	var algos []string
	add := func(a ...string) {
		for _, x := range a {
			if !slices.Contains(algos, x) {
				algos = append(algos, x)
			}
		}
	}
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			add(t)
		}
	}
	if len(algos) > 0 {
		add(ssh.SupportedAlgorithms().HostKeys...)
	}
	return algos
}
