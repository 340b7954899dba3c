package command

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// sshHop is one SSH server on the way: a jump host or the target.
type sshHop struct {
	addr       string // host:port
	user       string
	signers    []ssh.Signer
	agent      string // socket path, "" for none
	agentOpt   bool   // the agent came from $SSH_AUTH_SOCK: failing to reach it is not an error
	knownHosts []string
	insecure   bool
	timeout    time.Duration
}

// newHop checks the connection fields of o and loads its keys.
func newHop(o SSHOptions) (*sshHop, error) {
	if o.Host == "" {
		return nil, errors.New("command: ssh: SSHOptions.Host is empty")
	}
	if strings.Contains(o.Host, "@") {
		return nil, fmt.Errorf("command: ssh: Host %q contains '@': set SSHOptions.User for the user name", o.Host)
	}
	h := &sshHop{addr: o.Host, user: o.User, insecure: o.InsecureIgnoreHostKey, timeout: o.ConnectTimeout}
	if _, _, err := net.SplitHostPort(o.Host); err != nil {
		h.addr = net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(o.Host, "["), "]"), DefaultSSHPort)
		if _, _, err := net.SplitHostPort(h.addr); err != nil {
			return nil, fmt.Errorf("command: ssh: bad Host %q: %w", o.Host, err)
		}
	}
	if h.user == "" {
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("command: ssh: no User set and no current user: %w", err)
		}
		h.user = u.Username
	}
	if h.timeout <= 0 {
		h.timeout = DefaultConnectTimeout
	}

	h.signers = append(h.signers, o.Signers...)
	for _, f := range o.KeyFiles {
		s, err := loadKey(f)
		if err != nil {
			return nil, err
		}
		h.signers = append(h.signers, s)
	}
	if len(o.KeyFiles) == 0 && len(o.Signers) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
				if s, err := loadKey(filepath.Join(home, ".ssh", name)); err == nil {
					h.signers = append(h.signers, s)
				}
			}
		}
	}
	switch o.AgentSocket {
	case "none":
	case "":
		h.agent, h.agentOpt = os.Getenv("SSH_AUTH_SOCK"), true
	default:
		h.agent = o.AgentSocket
	}
	if len(h.signers) == 0 && h.agent == "" {
		return nil, fmt.Errorf("command: ssh %s: no key to authenticate with: set KeyFiles, Signers or AgentSocket, or run ssh-agent", h.addr)
	}

	if !h.insecure {
		h.knownHosts = o.KnownHostsFiles
		if _, err := newHostKeyChecker(h.knownHosts); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// loadKey reads an unencrypted private key file.
func loadKey(file string) (ssh.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("command: ssh: key file: %w", err)
	}
	s, err := ssh.ParsePrivateKey(data)
	var pm *ssh.PassphraseMissingError
	if errors.As(err, &pm) {
		return nil, fmt.Errorf("command: ssh: key file %s is passphrase-protected: add it to ssh-agent and use SSHOptions.AgentSocket", file)
	}
	if err != nil {
		return nil, fmt.Errorf("command: ssh: key file %s: %w", file, err)
	}
	return s, nil
}

// dial connects and authenticates to h, over via when it is not nil.
func (h *sshHop) dial(ctx context.Context, via *ssh.Client) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()

	cfg := &ssh.ClientConfig{User: h.user}
	if h.insecure {
		cfg.HostKeyCallback = ssh.InsecureIgnoreHostKey()
	} else {
		hk, err := newHostKeyChecker(h.knownHosts)
		if err != nil {
			return nil, err
		}
		cfg.HostKeyCallback = hk.callback
		cfg.HostKeyAlgorithms = hk.algorithms(h.addr)
	}
	var ag agent.ExtendedAgent
	if h.agent != "" {
		ac, err := (&net.Dialer{}).DialContext(ctx, "unix", h.agent)
		switch {
		case err == nil:
			defer ac.Close()
			ag = agent.NewClient(ac)
		case !h.agentOpt:
			return nil, fmt.Errorf("ssh-agent: %w", err)
		}
	}
	signers := h.signers
	cfg.Auth = []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
		all := signers[:len(signers):len(signers)]
		if ag != nil {
			if more, err := ag.Signers(); err == nil {
				all = append(all, more...)
			}
		}
		return all, nil
	})}

	var nc net.Conn
	var err error
	if via == nil {
		nc, err = (&net.Dialer{}).DialContext(ctx, "tcp", h.addr)
	} else {
		nc, err = via.DialContext(ctx, "tcp", h.addr)
	}
	if err != nil {
		return nil, err
	}
	// The handshake has no context of its own: closing the connection ends it.
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	c, chans, reqs, err := ssh.NewClientConn(nc, h.addr, cfg)
	if !stop() {
		if err == nil {
			c.Close()
		}
		nc.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// sshConn is one established connection (with its jump hosts) and the
// goroutines that watch it.
type sshConn struct {
	client  *ssh.Client   // to the target
	clients []*ssh.Client // every hop, the target last
	done    chan struct{} // closed once the connection is gone
	wg      sync.WaitGroup
}

// connect dials every hop in turn.
func (r *SSH) connect(ctx context.Context) (*sshConn, error) {
	var clients []*ssh.Client
	var via *ssh.Client
	for _, h := range r.hops {
		c, err := h.dial(ctx, via)
		if err != nil {
			for i := len(clients) - 1; i >= 0; i-- {
				clients[i].Close()
			}
			return nil, fmt.Errorf("command: ssh %s@%s: %w", h.user, h.addr, err)
		}
		clients = append(clients, c)
		via = c
	}
	c := &sshConn{client: via, clients: clients, done: make(chan struct{})}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = c.client.Wait()
		for i := len(c.clients) - 1; i >= 0; i-- {
			c.clients[i].Close()
		}
		close(c.done)
	}()
	if r.alive > 0 {
		c.wg.Add(1)
		go c.keepalive(r.alive, r.aliveMax)
	}
	return c, nil
}

// keepalive probes the connection every interval and closes it when a probe
// stays unanswered for max intervals.
func (c *sshConn) keepalive(interval time.Duration, max int) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		watchdog := time.AfterFunc(interval*time.Duration(max), c.close)
		// OpenSSH answers this unknown global request with a failure, which
		// is an answer all the same.
		_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
		watchdog.Stop()
		if err != nil {
			return
		}
	}
}

// close closes the connection; the watcher then closes the jump hosts.
func (c *sshConn) close() { _ = c.client.Close() }

// wait waits for the connection's goroutines to end, after close.
func (c *sshConn) wait() { c.wg.Wait() }

// dead reports whether the connection is gone.
func (c *sshConn) dead() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// connection returns the live connection, dialling a new one if there is
// none or it dropped.
func (r *SSH) connection(ctx context.Context) (*sshConn, error) {
	select {
	case r.dialing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-r.dialing }()
	r.mu.Lock()
	old, closed := r.conn, r.closed
	r.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	if old != nil && !old.dead() {
		return old, nil
	}
	if old != nil {
		old.close()
		old.wait()
	}
	c, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		c.close()
		c.wait()
		return nil, errClosed
	}
	r.conn = c
	r.mu.Unlock()
	return c, nil
}

// session opens a session for one command. A connection that turns out to
// be dead is replaced once: no command has started on it, so nothing runs
// twice. A server that refuses the session is asked again for a while (see
// openSession).
func (r *SSH) session(ctx context.Context) (*ssh.Session, *sshConn, error) {
	for attempt := 0; ; attempt++ {
		c, err := r.connection(ctx)
		if err != nil {
			return nil, nil, err
		}
		s, err := openSession(ctx, c, time.Now().Add(r.openTimeout()))
		if err == nil {
			return s, c, nil
		}
		var oce *ssh.OpenChannelError
		if ctx.Err() != nil || errors.As(err, &oce) || attempt > 0 {
			return nil, nil, fmt.Errorf("command: ssh %s: new session: %w", r.target().addr, err)
		}
		c.close()
	}
}

// openTimeout is how long a refused session is asked for again.
func (r *SSH) openTimeout() time.Duration { return r.target().timeout }

// newSession opens a session, giving up when ctx ends (a session that
// arrives after that is closed).
func (c *sshConn) newSession(ctx context.Context) (*ssh.Session, error) {
	var s *ssh.Session
	var err error
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		s, err = c.client.NewSession()
	}()
	select {
	case <-opened:
		return s, err
	case <-ctx.Done():
		go func() {
			<-opened
			if s != nil {
				s.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
