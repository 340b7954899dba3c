// Package resumetoken decodes, validates and encodes OpenZFS
// receive_resume_token values: the strings that `zfs receive -s` leaves on a
// dataset after an interrupted receive and that `zfs send -t` takes to resume
// it. [Decode] tells what a token would resume, without ZFS:
//
//	tok, err := resumetoken.Decode(token) // as printed by zfs get receive_resume_token
//	if err != nil {
//		return err // a *DecodeError: not a token, or a damaged one
//	}
//	fmt.Println(tok.ToName, tok.Offset, tok.Incremental())
//	if err := tok.Validate("tank/home@monday", guid); err != nil {
//		return err // a *MismatchError: the token is for another snapshot
//	}
//
// A [Token] also encodes back into a token ([Token.Encode]) and converts to
// and from its nvlist ([Token.ToNVList], [FromNVList]).
//
// # Validation
//
// A token resumes exactly one snapshot, identified by its GUID; libzfs finds
// the snapshot by that GUID and uses the name only in messages. [Token.Validate]
// compares a token with the snapshot a caller intends to send: a different
// GUID means the token belongs to another snapshot (or the snapshot was
// destroyed and re-created), which is an error, while a different name with
// the same GUID means the snapshot was renamed, which zfs send -t accepts.
// Both are reported as a [*MismatchError] so the caller can decide.
//
// # Errors
//
// Decode returns a [*DecodeError] wrapping [ErrFormat], [ErrVersion],
// [ErrChecksum] or [ErrCorrupt]; Validate returns a *MismatchError wrapping
// [ErrMismatch].
package resumetoken
