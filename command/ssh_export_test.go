//go:build unix

package command

import "testing"

// SSHTestServer starts a throwaway sshd for the external tests: it returns
// options that reach it as the current user and a directory for scripts.
func SSHTestServer(t *testing.T) (SSHOptions, string) {
	f := newSSHFixture(t, sshdConfig{})
	return f.options(), f.dir
}
