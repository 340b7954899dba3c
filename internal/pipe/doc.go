// Package pipe holds the plumbing gozfs's packages share to move a stream
// between this process and a zfs or zpool child: operating-system pipes
// sized for send streams ([New]), the hand-off of a file or socket to a
// child as its standard input or output ([Handoff]), and the io.WriteCloser
// whose writes feed a consumer running in the background and whose Close
// reports the consumer's outcome ([Writer]).
package pipe
