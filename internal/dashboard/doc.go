// Package dashboard is ups-dashboard: a read-only web page with every
// UPS at a glance, charts of charge, load and voltage over hours to days,
// and the outage history, refreshed live. It reads upsd as a NUT client
// (a sample every 10 seconds, and at once when upsd pushes a status
// change), keeps the history in its own bounded files (store.go), reads
// the outage history from the journal, and serves assets embedded in the
// binary.
package dashboard
