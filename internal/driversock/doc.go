// Package driversock speaks NUT's driver socket protocol (NUT's
// docs/sock-protocol.txt): the Unix stream socket on which a driver publishes
// a UPS's state and upsd asks it to set variables and run instant commands.
//
// Link is upsd's end: it connects, mirrors the driver's state tree, tracks
// staleness and reconnects. Publisher is a driver's end: it owns the tree,
// answers DUMPALL and PING, broadcasts changes and hands SET and INSTCMD to
// the driver. Both ends interoperate with NUT's own drivers and upsd.
package driversock
