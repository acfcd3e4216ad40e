// Package interop holds the end-to-end tests that run sysnut against NUT
// 2.8.0's own programs (Debian's nut-server, nut-client, python3-nut):
// the same requests to NUT's upsd and ours over the same dummy-ups driver,
// NUT's clients and PyNUT against our upsd, our clients against NUT's upsd.
// NUT's output is the reference; the tests fail on any difference.
//
// Without NUT installed the tests skip, unless SYSNUT_REQUIRE_NUT=1 (as in
// CI), which makes a missing NUT a failure.
package interop
