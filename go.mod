module github.com/sysnut/sysnut

go 1.26.8

// The runtime would otherwise read the cgroup's CPU limit every second to
// adjust GOMAXPROCS: a wake-up a second in every idle daemon, for a limit
// the units never change while a daemon runs.
godebug updatemaxprocs=0

require github.com/coreos/go-systemd/v22 v22.7.0

require golang.org/x/sys v0.49.0

require go.bug.st/serial v1.8.0

require github.com/godbus/dbus/v5 v5.2.4

require github.com/gosnmp/gosnmp v1.47.0
