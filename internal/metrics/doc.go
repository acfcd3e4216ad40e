// Package metrics is ups-metrics: a Prometheus endpoint for the UPSes a
// upsd serves, compatible with DRuggeri/nut_exporter (its metric names,
// labels, options and /ups_metrics path, so that its Grafana dashboard and
// alert rules work unchanged), plus what only sysnut knows: staleness,
// driver connection, logged-in monitors, upsd's clients, the last status
// change and the monitor's own state. It reads upsd as any NUT client does.
package metrics
