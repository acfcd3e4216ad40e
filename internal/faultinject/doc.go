// Package faultinject holds the fault-injection suite: tests that break
// what a site depends on (a driver killed or hung, upsd restarted under
// socket activation, the network between monitors cut, a serial cable
// pulled) and check that sysnut neither shuts down when it should not nor
// fails to when it must. The serial faults live with the Megatec driver's
// tests (internal/driver/megatec), next to the simulator they need.
package faultinject
