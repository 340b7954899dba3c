// Package resumetoken decodes, validates and encodes OpenZFS
// receive_resume_token values: the strings that `zfs receive -s` leaves on a
// dataset after an interrupted receive and that `zfs send -t` takes to resume
// it.
//
// # Format
//
// A token is "VERSION-CHECKSUM-LENGTH-PAYLOAD": the token version (1), the
// first word of the fletcher-4 checksum of the compressed payload in hex,
// the length of the uncompressed payload in hex, and the payload itself in
// lower-case hex. The payload is a zlib stream of a packed nvlist (native
// encoding, in the receiving host's byte order) with the keys "toguid",
// "toname", "object", "offset" and "bytes", "fromguid" for incremental
// sends, the presence flags "largeblockok", "embedok", "compressok" and
// "rawok", and the arrays "redact_snaps" and "book_redact_snaps" for
// redacted sends. Decode performs the same checks as libzfs's
// zfs_send_resume_token_to_nvlist and returns a typed Token that also keeps
// the raw list.
//
// # Validation
//
// A token resumes exactly one snapshot, identified by its GUID; libzfs finds
// the snapshot by that GUID and uses the name only in messages. Token.Validate
// compares a token with the snapshot a caller intends to send: a different
// GUID means the token belongs to another snapshot (or the snapshot was
// destroyed and re-created), which is an error, while a different name with
// the same GUID means the snapshot was renamed, which zfs send -t accepts.
// Both are reported as a *MismatchError so the caller can decide.
//
// # Errors
//
// Decode returns a *DecodeError wrapping ErrFormat, ErrVersion, ErrChecksum
// or ErrCorrupt; Validate returns a *MismatchError wrapping ErrMismatch.
package resumetoken
