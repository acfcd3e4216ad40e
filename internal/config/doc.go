// Package config reads NUT's configuration files (ups.conf, upsd.conf,
// upsd.users, upsmon.conf) with NUT's lexical rules, into typed structures.
//
// Unlike NUT, which warns about and skips what it does not understand (and
// re-parses the rest of a line after a quoting error), every problem here is
// an error naming file, line and cause, and all of a file's problems are
// reported at once so that one run of the checker shows them all.
package config
