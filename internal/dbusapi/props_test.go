package dbusapi

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/upsbus"
)

// TestPropertiesReplaceReportsChanges: one change set per interface, with
// new and changed values, removed names invalidated, constants never
// reported.
func TestPropertiesReplaceReportsChanges(t *testing.T) {
	var p properties
	constant := map[string]bool{"Name": true}
	p.replace(map[string]map[string]any{
		"a": {"Name": "x", "S": "OL", "M": map[string]string{"k": "1"}},
		"b": {"one": "1", "two": "2"},
	}, constant)
	changes, names := p.replace(map[string]map[string]any{
		"a": {"Name": "y", "S": "OL", "M": map[string]string{"k": "2"}},
		"b": {"one": "1", "three": "3"},
	}, constant)
	if !names {
		t.Error("a new set of names was not reported")
	}
	got := fmt.Sprint(changes)
	want := fmt.Sprint([]propertyChange{
		{iface: "a", changed: map[string]dbus.Variant{"M": dbus.MakeVariant(map[string]string{"k": "2"})}},
		{iface: "b", changed: map[string]dbus.Variant{"three": dbus.MakeVariant("3")}, invalidated: []string{"two"}},
	})
	if got != want {
		t.Errorf("changes\n got %s\nwant %s", got, want)
	}
	if changes, names := p.replace(map[string]map[string]any{
		"a": {"Name": "y", "S": "OL", "M": map[string]string{"k": "2"}},
		"b": {"one": "1", "three": "3"},
	}, constant); len(changes) != 0 || names {
		t.Errorf("an identical update reported %v, %v", changes, names)
	}
	intro := fmt.Sprint(p.introspection("a", constant))
	for _, want := range []string{"{M a{ss} read [{org.freedesktop.DBus.Property.EmitsChangedSignal true}]}", "{Name s read [{org.freedesktop.DBus.Property.EmitsChangedSignal const}]}"} {
		if !strings.Contains(intro, want) {
			t.Errorf("introspection %s lacks %s", intro, want)
		}
	}
}

// TestPropertiesReadWhileReplaced: a reply built from GetAll is encoded
// after the lock is released, so a value once published must never be
// modified. Under -race this fails if replace writes into an old map.
func TestPropertiesReadWhileReplaced(t *testing.T) {
	var p properties
	m := propertiesMethods{&p}
	vars := func(i int) map[string]map[string]any {
		return map[string]map[string]any{upsbus.DeviceIface: {"Variables": map[string]string{"battery.charge": fmt.Sprint(i)}}}
	}
	p.replace(vars(0), nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i < 500; i++ {
			p.replace(vars(i), nil)
		}
	}()
	for range 500 {
		all, err := m.GetAll(upsbus.DeviceIface)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range all["Variables"].Value().(map[string]string) {
			_, _ = k, v
		}
	}
	wg.Wait()
	if _, err := m.GetAll("org.example.Nothing"); err == nil || err.Name != "org.freedesktop.DBus.Error.UnknownInterface" {
		t.Errorf("GetAll of an unknown interface: %v", err)
	}
	if _, err := m.Get(upsbus.DeviceIface, "Nothing"); err == nil || err.Name != "org.freedesktop.DBus.Error.UnknownProperty" {
		t.Errorf("Get of an unknown property: %v", err)
	}
}
