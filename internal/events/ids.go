// Package events is the outage history: the power events upsmon and the
// drivers write to the journal, with stable MESSAGE_IDs, read back and
// paired into outages and other intervals (upsctl events, the D-Bus
// service's ListEvents, the dashboard).
package events

import (
	"crypto/md5"
	"encoding/hex"
)

func id(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// NotifyID is the MESSAGE_ID of upsmon's notification typ (ONBATT, ...).
// It never changes: `journalctl MESSAGE_ID=...` finds every one.
func NotifyID(typ string) string { return id("sysnut.upsmon." + typ) }

// TestResultID is the MESSAGE_ID of a driver's entry for a new self-test
// result (ups.test.result changed while the driver ran).
var TestResultID = id("sysnut.driver.TESTRESULT")

// Fields of the entries, beyond NOTIFYTYPE and UPS.
const (
	// FieldLowestCharge, on upsmon's ONLINE, is the lowest battery.charge
	// it read during the power failure that ended.
	FieldLowestCharge = "BATTERY_CHARGE_LOWEST"
	// FieldTestResult, on a driver's TestResultID entry, is ups.test.result.
	FieldTestResult = "TEST_RESULT"
)
