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

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/client_golang v1.23.2
	github.com/prometheus/client_model v0.6.2 // indirect
	github.com/prometheus/common v0.66.1 // indirect
	github.com/prometheus/procfs v0.16.1 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	google.golang.org/protobuf v1.36.8 // indirect
)
