package transport_test

// netnsServerIP is the receiver's address inside the test's own network
// namespace (see TestNetns); the test PKI puts it in the server certificate.
const netnsServerIP = "10.213.7.2"
