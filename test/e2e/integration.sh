#!/usr/bin/env bash
# Integration test under a real systemd (PID 1 in systemd-nspawn): sysnut is
# installed with meson into the container's root, as a package would be.
# A dummy UPS (ups-driver@myups, enabled and started), upsd (socket-activated,
# DynamicUser), upsmon (static user, allowed by polkit) and the D-Bus service
# (bus-activated) run; NUT's upsc, busctl and upsctl read them; polkit refuses
# an unprivileged upsctl and allows a granted one; the driver cannot open a
# device outside its allow-list; faults with mains on shut nothing down;
# TLS works with the key passed as a credential; a
# power failure makes upsmon power the container off through logind, the
# journal says why, and the system-shutdown killpower hook runs. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD

. test/e2e/lib.sh

echo "=== build with meson"
command -v meson >/dev/null || apt-get install -y -qq --no-install-recommends meson ninja-build pkg-config >/dev/null
# The container has NUT's packages (this machine's): meson refuses to
# install over their files unless told to. This test installs over them on
# purpose, as before; test/e2e/debian.sh takes the packaged way.
if meson setup "$P/build-refused" >"$P/refused.log" 2>&1; then fail "meson setup did not refuse to install over NUT's packaged files"; fi
grep -A3 "would overwrite files of installed Debian packages" "$P/refused.log" | sed 's/^/    | /'
pass "meson setup refuses to overwrite files dpkg owns (nut-client's upsc, ups-monitor.service, ...)"
meson setup -Doverwrite_packaged=true "$P/build" >"$P/setup.log"
grep -q "systemd-sysusers /usr/lib/sysusers.d/sysnut.conf" "$P/setup.log" && pass "meson setup lists the post-install steps for a DESTDIR install" ||
  { cat "$P/setup.log"; fail "no post-install steps in meson setup's summary"; }
meson compile -C "$P/build" >/dev/null
mkdir -p "$P/bin"; cp "$P/build/upsc" "$P/bin/upsc"

e2e_root

echo "=== install sysnut with meson into the container's root"
# Debian's nut-client masks ups-monitor.service (a /dev/null link for its old
# init script); a sysnut package replaces nut-client, so the link goes.
[ -L "$R/lib/systemd/system/ups-monitor.service" ] && rm "$R/lib/systemd/system/ups-monitor.service"
DESTDIR=$R meson install -C "$P/build" --no-rebuild >"$P/install.log" 2>&1 || { tail -20 "$P/install.log"; fail "meson install"; }
[ -x "$R/usr/bin/upsd" ] && [ -f "$R/lib/systemd/system/ups-server.socket" ] && [ -x "$R/lib/systemd/system-generators/sysnut-generator" ] &&
  [ -f "$R/usr/share/polkit-1/actions/org.sysnut.ups1.policy" ] && [ -f "$R/usr/lib/systemd/catalog/sysnut.catalog" ] &&
  [ -f "$R/usr/share/man/man8/upsd.8" ] && pass "meson install --destdir" || fail "meson install did not put the files in place"
[ "${DEBUG:-0}" = 1 ] && printf '#!/bin/sh\necho "debug-hook: $*"; ls -la /run/sysnut; cat /run/sysnut/killpower; upsmon -K; echo "K=$?"\n' > "$R/usr/lib/systemd/system-shutdown/00-debug" && chmod +x "$R/usr/lib/systemd/system-shutdown/00-debug"
mkdir -p "$R/etc/nut"
rm -f "$R"/etc/nut/*
cat > "$R/etc/nut/ups.conf" <<'CONF'
[myups]
	driver = dummy-ups
	port = myups.dev
	desc = "simulated UPS"
CONF
cat > "$R/etc/nut/upsd.users" <<'CONF'
[upsmon]
	password = e2e-secret
	upsmon primary
[sysnut-dbus]
	password = bus-secret
	actions = SET FSD
	instcmds = ALL
CONF
# Debian's stock POWERDOWNFLAG and SHUTDOWNCMD, which the sandboxed,
# unprivileged monitor handles safely (flag kept in /run/sysnut, logind).
cat > "$R/etc/nut/upsmon.conf" <<'CONF'
MONITOR myups@localhost 1 upsmon e2e-secret primary
POLLFREQ 5
POLLFREQALERT 5
FINALDELAY 0
POWERDOWNFLAG /etc/killpower
SHUTDOWNCMD "/sbin/shutdown -h +0"
CONF
printf 'ups.status: OL\nbattery.charge: 100\n' > "$R/etc/nut/myups.dev"
chmod 0644 "$R"/etc/nut/*
# The secrets are root's alone: upsd and the D-Bus service get them as credentials.
chmod 0600 "$R/etc/nut/upsd.users"
# upsmon.conf as Debian's nut-client installs it.
chroot "$R" chgrp nut /etc/nut/upsmon.conf && chmod 0640 "$R/etc/nut/upsmon.conf"
# Two local users for polkit: alice in the granted group, bob not.
cp "$SRC/polkit/rules.d/60-sysnut-nut-group.rules.example" "$R/etc/polkit-1/rules.d/60-sysnut.rules"
chroot "$R" groupadd -f upsadmin
chroot "$R" useradd -M -G upsadmin alice 2>/dev/null || true
chroot "$R" useradd -M bob 2>/dev/null || true

boot

echo "=== enable and start the UPS, the server socket and the monitor"
inside systemctl enable --now ups-driver@myups.service >/dev/null 2>&1 && pass "systemctl enable --now ups-driver@myups" ||
  { inside journalctl --no-pager -q -u ups-driver@myups | tail -20; fail "ups-driver@myups did not start"; }
inside systemctl start ups-server.socket ups-monitor.service ||
  { inside journalctl --no-pager -q -u ups-driver@myups -u ups-monitor -u ups-server | tail -30; fail "units did not start"; }
for i in $(seq 100); do
  inside journalctl -u ups-monitor.service --no-pager -q 2>/dev/null | grep "logged in" >/dev/null && break
  sleep 0.2
done
inside journalctl -u ups-monitor.service --no-pager -q | grep "logged in" >/dev/null ||
  { inside systemctl status --no-pager ups-driver@myups ups-server.socket ups-server.service ups-monitor.service || true; fail "upsmon never logged in"; }
pass "upsmon logged in to upsd (socket-activated)"
st=$(nsenter --net="/proc/$L/ns/net" "$P/bin/upsc" myups@127.0.0.1 ups.status)
[ "$st" = OL ] && pass "upsc reads ups.status OL" || fail "upsc read '$st'"
uid=$(inside systemctl show -p MainPID --value ups-server.service)
[ "$(inside stat -c %U /proc/$uid 2>/dev/null)" != root ] && pass "upsd runs unprivileged (dynamic user)" || fail "upsd runs as root"

echo "=== NUT's upsc, the journal, the bus, polkit and the device allow-list"
nutupsc=$(timeout 10 nsenter --net="/proc/$L/ns/net" /bin/upsc myups@127.0.0.1 ups.status 2>/dev/null || true)
[ "$nutupsc" = OL ] && pass "NUT's upsc reads our upsd: $nutupsc" || fail "NUT's upsc read '$nutupsc'"
inside journalctl -u ups-server.service -o verbose --no-pager -q | grep -E '^ +(CLIENT|UPS|USER)=' | sort -u | head -3 | sed 's/^ */    | /'
inside journalctl -u ups-server.service -o verbose --no-pager -q | grep -E '^ +CLIENT=127\.0\.0\.1' >/dev/null &&
  inside journalctl -u ups-server.service -o verbose --no-pager -q | grep -E '^ +UPS=myups' >/dev/null &&
  pass "journal: upsd's entries carry CLIENT= and UPS= fields" || fail "no structured CLIENT=/UPS= fields from upsd"
n_native=$(inside journalctl -u ups-server.service -u ups-monitor.service -u ups-driver@myups.service _TRANSPORT=journal --no-pager -q | wc -l)
n_stream=$(inside journalctl -u ups-server.service -u ups-monitor.service -u ups-driver@myups.service _TRANSPORT=stdout --no-pager -q | wc -l)
[ "$n_native" -gt 0 ] && [ "$n_stream" = 0 ] && pass "journal: $n_native native entries, none from the stderr stream (nothing logged twice)" ||
  { inside journalctl -u ups-server.service -u ups-monitor.service _TRANSPORT=stdout --no-pager -q | head; fail "entries on the stderr stream: $n_stream"; }
kv=$(inside journalctl -u ups-server.service -u ups-monitor.service -u ups-driver@myups.service -o cat --no-pager -q | grep -E ' [a-z_]+=[^ ]' || true)
[ -z "$kv" ] && pass "journal: MESSAGE is the sentence alone, no key=value fields repeated in it" || fail "key=value in MESSAGE: $kv"
inside journalctl -u ups-monitor.service -u ups-driver@myups.service -o cat --no-pager -q | head -4 | sed 's/^/    | /'
# meson's post-install script, run as on a live system: sysusers,
# tmpfiles, daemon-reload, the bus reload and the catalog update.
cp "$SRC/meson/post-install.sh" "$R/var/tmp/post-install.sh"
inside sh /var/tmp/post-install.sh /usr/lib/sysusers.d/sysnut.conf /usr/lib/tmpfiles.d/sysnut.conf >"$P/post-install.log" 2>&1 &&
  grep -q "post-install steps done" "$P/post-install.log" && pass "meson's post-install script runs its steps on a live system (sysusers, tmpfiles, daemon-reload, bus reload, catalog)" ||
  { cat "$P/post-install.log"; fail "post-install steps failed"; }
inside journalctl --list-catalog 2>/dev/null | grep -i "UPS on battery" >/dev/null &&
  pass "journal catalog installed (journalctl --list-catalog)" || fail "catalog not found by journalctl"
st=$(inside busctl get-property org.sysnut.UPS1 /org/sysnut/UPS1/ups/myups org.sysnut.UPS1.Device Status 2>&1 || true)
[ "$st" = 's "OL"' ] && pass "busctl get-property (bus-activated sysnut-dbus): Status $st" ||
  { inside journalctl --no-pager -q -u sysnut-dbus | tail; fail "busctl read '$st'"; }
inside busctl tree org.sysnut.UPS1 --list 2>/dev/null | grep -x /org/sysnut/UPS1/ups/myups >/dev/null && pass "busctl tree lists the UPS object" || fail "busctl tree"
inside busctl introspect org.sysnut.UPS1 /org/sysnut/UPS1/ups/myups 2>/dev/null | grep -E '^\.battery_charge +property +s +"100"' >/dev/null &&
  pass "busctl introspect: variables as properties (battery_charge \"100\")" || fail "introspect lacks battery_charge"
inside busctl call org.sysnut.UPS1 /org/sysnut/UPS1 org.sysnut.UPS1.Manager ListUPS | grep myups >/dev/null && pass "busctl call ListUPS" || fail "busctl call ListUPS"
inside runuser -u bob -- upsctl status | grep -E 'Status: OL \(online\)' >/dev/null && pass "upsctl status works unprivileged" || fail "upsctl status as bob"
out=$(inside runuser -u bob -- upsctl command myups load.off 2>&1 || true)
case $out in *"Not authorized"*|*"Interactive authentication required"*) pass "polkit refuses bob: $out";; *) fail "bob's command was not refused: $out";; esac
bob=$(chroot "$R" id -u bob)
# (no CALLER_UNIT here: nsenter leaves bob's upsctl outside the container's units)
inside journalctl -u sysnut-dbus.service -o verbose --no-pager -q | grep -E "^ +CALLER_UID=$bob\$" >/dev/null &&
  pass "sysnut-dbus names the refused caller by uid ($bob)" || { inside journalctl -u sysnut-dbus -o verbose --no-pager -q | grep -i caller | head; fail "refusal does not name the caller"; }
inside runuser -u alice -- upsctl command myups load.off && pass "polkit allows alice (group upsadmin) to run an instant command" ||
  { inside journalctl --no-pager -q -u sysnut-dbus -u ups-server | tail; fail "alice was refused"; }
inside journalctl -u ups-server.service --no-pager -q | grep 'instant command' | grep 'user=sysnut-dbus' >/dev/null ||
  inside journalctl -u ups-server.service -o verbose --no-pager -q | grep -E '^ +USER=sysnut-dbus' >/dev/null &&
  pass "upsd ran it for the D-Bus service's account" || fail "upsd did not log the instant command"
inside runuser -u alice -- upsctl test-notification onbatt && sleep 1
inside journalctl -u sysnut-dbus.service -o verbose --no-pager -q | grep -E '^ +NOTIFYTYPE=ONBATT' >/dev/null &&
  inside journalctl -u sysnut-dbus.service -o verbose --no-pager -q | grep -E '^ +TEST=1' >/dev/null &&
  pass "upsctl test-notification: NOTIFYTYPE=ONBATT in the journal, marked TEST=1" || { inside journalctl --no-pager -q -u sysnut-dbus | tail; inside journalctl --no-pager -q -o verbose -u sysnut-dbus | grep -i notif | head; fail "no test notification in the journal"; }
inside systemctl show -p DropInPaths --value ups-driver@myups.service | grep -E '/run/systemd/generator[^ ]*/ups-driver@myups.service.d/' >/dev/null &&
  pass "sysnut-generator wrote ups-driver@myups's drop-in at boot" || fail "no generator drop-in for ups-driver@myups"
cg=$(inside systemctl show -p ControlGroup --value ups-driver@myups.service)
probe() { inside sh -c "echo \$\$ > '/sys/fs/cgroup$cg/cgroup.procs' && exec head -c1 $1 >/dev/null" 2>&1; }
if probe /dev/null >/dev/null && ! probe /dev/zero >/dev/null; then
  pass "inside the driver's cgroup /dev/null opens and /dev/zero does not ($(probe /dev/zero | head -1))"
else fail "device allow-list not enforced"; fi

echo "=== metrics (ups-metrics.socket, nut_exporter's port)"
inside systemctl enable --now ups-metrics.socket >/dev/null 2>&1 || fail "ups-metrics.socket did not start"
[ "$(inside systemctl is-active ups-metrics.service || true)" != active ] && pass "ups-metrics.service waits for the first scrape" || fail "ups-metrics.service started before any scrape"
scrape=$(inside curl -fsS http://127.0.0.1:9199/metrics 2>&1 || true)
grep -x 'network_ups_tools_ups_status{flag="OL",ups="myups"} 1' <<<"$scrape" >/dev/null &&
  pass 'curl :9199/metrics starts it: network_ups_tools_ups_status{flag="OL",ups="myups"} 1' ||
  { echo "$scrape" | tail; inside journalctl -u ups-metrics.service --no-pager -q | tail; fail "no status in the scrape"; }
grep -x 'sysnut_monitor_ups_reachable{system="myups@localhost",ups="myups"} 1' <<<"$scrape" >/dev/null &&
  grep -x 'sysnut_ups_monitor_logins{ups="myups"} 1' <<<"$scrape" >/dev/null &&
  pass "the scrape has upsmon's state (read through the sandbox) and its login" || { grep sysnut_ <<<"$scrape"; fail "no monitor state in the scrape"; }
out=$(promtool check metrics <<<"$scrape" 2>&1) && pass "promtool check metrics: the scrape is clean" || { echo "$out"; fail "promtool check metrics"; }
one=$(inside curl -fsS 'http://127.0.0.1:9199/ups_metrics?ups=myups' 2>&1 || true)
grep -x 'network_ups_tools_battery_charge 100' <<<"$one" >/dev/null && pass "nut_exporter's /ups_metrics?ups=myups: network_ups_tools_battery_charge 100" || { echo "$one" | tail; fail "/ups_metrics"; }
pid=$(inside systemctl show -p MainPID --value ups-metrics.service)
[ "$(inside systemctl show -p DynamicUser --value ups-metrics.service)" = yes ] && [ "$(inside stat -c %u "/proc/$pid")" != 0 ] &&
  pass "ups-metrics runs as a dynamic user (uid $(inside stat -c %u "/proc/$pid"))" || fail "ups-metrics is not a dynamic user"

echo "=== a power failure and return: the outage history (upsctl events) from the journal"
until_entry() { # wait up to 15 s for a NOTIFYTYPE=$1 entry of upsmon
  for i in $(seq 150); do
    inside journalctl -u ups-monitor.service -o verbose --no-pager -q | grep -E "^ +NOTIFYTYPE=$1\$" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
printf 'ups.status: OB DISCHRG\nbattery.charge: 80\nups.test.result: No test initiated\n' > "$R/etc/nut/myups.dev.new"
touch -d '+1 minute' "$R/etc/nut/myups.dev.new"
t_ob=$(date +%s.%N); mv "$R/etc/nut/myups.dev.new" "$R/etc/nut/myups.dev"
until_entry ONBATT && pass "ONBATT in the journal" || fail "no ONBATT"
scrape=$(inside curl -fsS http://127.0.0.1:9199/metrics 2>&1 || true)
grep -E '^sysnut_monitor_on_battery_since_timestamp_seconds\{system="myups@localhost",ups="myups"\} ' <<<"$scrape" >/dev/null &&
  pass "ups-metrics shows the monitor on battery since $(grep -E '^sysnut_monitor_on_battery_since' <<<"$scrape" | awk '{print $2}')" ||
  { grep sysnut_monitor <<<"$scrape"; fail "no on-battery time in the scrape"; }
sleep 3
printf 'ups.status: OL\nbattery.charge: 100\nups.test.result: Done and passed\n' > "$R/etc/nut/myups.dev.new"
touch -d '+2 minute' "$R/etc/nut/myups.dev.new"
t_ol=$(date +%s.%N); mv "$R/etc/nut/myups.dev.new" "$R/etc/nut/myups.dev"
until_entry ONLINE && pass "ONLINE in the journal" || fail "no ONLINE"
sleep 1
inside runuser -u bob -- upsctl events --ups myups -o json > "$P/events.json" 2>&1 || true
check=$(python3 - "$t_ob" "$t_ol" "$P/events.json" <<'PY' 2>&1
import json, sys
t_ob, t_ol = float(sys.argv[1]), float(sys.argv[2])
evs = json.load(open(sys.argv[3]))
outages = [e for e in evs if e["kind"] == "outage"]
tests = [e for e in evs if e["kind"] == "self-test"]
assert len(outages) == 1, "outages: %r" % evs
o = outages[0]
want = t_ol - t_ob
assert abs(o["duration_seconds"] - want) < 1.0, "duration %.3f s, the file said %.3f s" % (o["duration_seconds"], want)
assert o["details"]["lowest_charge"] == "80", o
assert len(tests) == 1 and tests[0]["details"]["result"] == "Done and passed", "self-tests: %r" % tests
print("one outage of %.3f s (the driver's file said %.3f s), lowest charge %s%%; self-test: %s" % (o["duration_seconds"], want, o["details"]["lowest_charge"], tests[0]["details"]["result"]))
PY
) && pass "upsctl events (bob, unprivileged, through the bus): $check" || { cat "$P/events.json"; fail "outage history: $check"; }
inside runuser -u bob -- upsctl events | sed 's/^/    | /'

echo "=== the dashboard (ups-dashboard.socket): socket-activated, its history file, the real journal, headless Chromium"
inside systemctl enable --now ups-dashboard.socket >/dev/null 2>&1 || fail "ups-dashboard.socket did not start"
st=$(inside curl -fsS http://127.0.0.1:9198/api/state 2>&1 || true)
grep -q '"name":"myups","status":"OL"' <<<"$st" && pass "curl :9198/api/state starts ups-dashboard.service: myups OL" ||
  { echo "$st"; inside journalctl -u ups-dashboard.service --no-pager -q | tail; fail "the dashboard's state"; }
size=$(inside stat -L -c %s /var/lib/ups-dashboard/myups.history 2>&1 || true)
[ "$size" = 4561936 ] && pass "its history: /var/lib/ups-dashboard/myups.history, 4561936 bytes (fixed), in the StateDirectory of a dynamic user" ||
  fail "history file: $size"
ev=$(inside curl -fsS 'http://127.0.0.1:9198/api/events' 2>&1 || true)
grep -q '"kind":"outage"' <<<"$ev" && grep -q '"lowest_charge":"80"' <<<"$ev" &&
  pass "/api/events: the outage above, read from the journal (group systemd-journal)" || { echo "$ev"; fail "the dashboard's events"; }
( cd "$SRC" && go build -o "$P/dashboardcheck" ./test/e2e/dashboardcheck )
mkdir -p "${SYSNUT_ARTIFACTS:-$P}"
shot="${SYSNUT_ARTIFACTS:-$P}/dashboard-nspawn.png"
out=$(nsenter --net="/proc/$L/ns/net" "$P/dashboardcheck" http://127.0.0.1:9198/ myups "$shot" 2>&1) &&
  pass "headless Chromium: $out (screenshot $shot)" || fail "dashboard in Chromium: $out"

echo "=== an SNMP UPS: the network for its agent, none for the others"
upsc_in() { timeout 10 nsenter --net="/proc/$L/ns/net" "$P/bin/upsc" "$@" 2>&1; }
# Debian's snmpsimd (this machine's, in the container's overlay) serves the
# UPS-MIB on the container's loopback.
mkdir -p "$R/srv/snmprec"
cp "$SRC/internal/interop/testdata/snmp/ietf-ol.snmprec" "$R/srv/snmprec/public.snmprec"
chmod -R a+rX "$R/srv/snmprec"
inside systemd-run -q --unit=snmp-agent -p DynamicUser=yes --setenv=HOME=/tmp \
  snmpsimd --data-dir=/srv/snmprec --agent-udpv4-endpoint=127.0.0.1:1161 --logging-method=stderr
printf '[netups]\n\tdriver = snmp-ups\n\tport = 127.0.0.1:1161\n\tmibs = ietf\n\tsnmp_version = v2c\n\tpollfreq = 5\n' >> "$R/etc/nut/ups.conf"
inside systemctl daemon-reload
inside systemctl restart ups-server.service # upsd learns of the new section
inside systemctl start ups-driver@netups.service || { inside journalctl --no-pager -q -u ups-driver@netups | tail; fail "ups-driver@netups did not start"; }
for i in $(seq 100); do [ "$(upsc_in netups@127.0.0.1 ups.status)" = OL ] && break; sleep 0.2; done
[ "$(upsc_in netups@127.0.0.1 battery.charge)" = 97 ] && pass "ups-driver@netups (snmp-ups) reads its agent on loopback under systemd: battery.charge 97" ||
  { inside journalctl --no-pager -q -u ups-driver@netups -u snmp-agent | tail -30; fail "netups: $(upsc_in netups@127.0.0.1 ups.status)"; }
show() { inside systemctl show -p "$2" --value "$1"; }
[ "$(show ups-driver@netups.service IPAddressAllow)" = 127.0.0.1/32 ] && [ "$(show ups-driver@netups.service PrivateNetwork)" = no ] &&
  [ "$(show ups-driver@myups.service PrivateNetwork)" = yes ] && [ "$(show ups-driver@myups.service RestrictAddressFamilies)" = AF_UNIX ] &&
  pass "generator: netups may reach 127.0.0.1 only (PrivateNetwork=no, $(show ups-driver@netups.service RestrictAddressFamilies)); myups keeps PrivateNetwork=yes, AF_UNIX" ||
  fail "sandbox: netups $(show ups-driver@netups.service IPAddressAllow) $(show ups-driver@netups.service PrivateNetwork), myups $(show ups-driver@myups.service PrivateNetwork) $(show ups-driver@myups.service RestrictAddressFamilies)"
# The address filter is the cgroup's: a process moved into each driver's
# cgroup asks the agent.
ask() { inside sh -c "echo \$\$ > '/sys/fs/cgroup$(show "$1" ControlGroup)/cgroup.procs' && exec snmpget -v2c -c public -t 1 -r 0 -On 127.0.0.1:1161 1.3.6.1.2.1.33.1.2.4.0" 2>&1; }
if ask ups-driver@netups.service | grep -q 'INTEGER: 97' && ! ask ups-driver@myups.service | grep -q 'INTEGER'; then
  pass "from netups' cgroup the agent answers; from myups' cgroup it cannot be reached ($(ask ups-driver@myups.service | head -1))"
else fail "cgroup address filter: netups '$(ask ups-driver@netups.service | head -1)', myups '$(ask ups-driver@myups.service | head -1)'"; fi
echo "=== SNMP UPSes in one process: SYSNUT_SNMP_DRIVERS=shared"
printf '[netups2]\n\tdriver = snmp-ups\n\tport = 127.0.0.1:1161\n\tmibs = ietf\n\tsnmp_version = v2c\n\tpollfreq = 5\n' >> "$R/etc/nut/ups.conf"
printf 'MODE=standalone\nSYSNUT_SNMP_DRIVERS=shared\n' > "$R/etc/nut/nut.conf"
inside systemctl daemon-reload
inside systemctl restart ups-server.service
inside systemctl start ups-driver-snmp.service || { inside journalctl --no-pager -q -u ups-driver-snmp | tail; fail "ups-driver-snmp did not start"; }
for i in $(seq 100); do [ "$(upsc_in netups2@127.0.0.1 ups.status)" = OL ] && [ "$(upsc_in netups@127.0.0.1 ups.status)" = OL ] && break; sleep 0.2; done
wants=$(show sysnut.target Wants)
if [ "$(upsc_in netups@127.0.0.1 battery.charge)" = 97 ] && [ "$(upsc_in netups2@127.0.0.1 battery.charge)" = 97 ] &&
  ! inside systemctl -q is-active ups-driver@netups.service && [ "$(show ups-driver-snmp.service IPAddressAllow)" = 127.0.0.1/32 ] &&
  [ "$(inside pgrep -c -f 'ups-driver -all snmp-ups')" = 1 ] && [ "$(inside pgrep -c -f 'ups-driver netups')" = 0 ] && grep -q ups-driver-snmp.service <<<"$wants" && ! grep -q 'ups-driver@netups' <<<"$wants"; then
  pass "ups-driver-snmp.service serves netups and netups2 from one process; starting it stopped ups-driver@netups (Conflicts=); sysnut.target wants it instead; $(show ups-driver-snmp.service StatusText | cut -c1-100)"
else
  inside journalctl --no-pager -q -u ups-driver-snmp | tail -20
  fail "shared SNMP driver: netups '$(upsc_in netups@127.0.0.1 ups.status)', netups2 '$(upsc_in netups2@127.0.0.1 ups.status)', allow '$(show ups-driver-snmp.service IPAddressAllow)', processes $(inside pgrep -a ups-driver | tr '\n' ';'), wants '$wants'"
fi
score=$(inside systemd-analyze security ups-driver-snmp.service 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
awk -v s="$score" 'BEGIN{exit !(s != "" && s <= 2.0)}' && pass "systemd-analyze security ups-driver-snmp.service: $score" || fail "ups-driver-snmp.service scores '$score'"
inside systemctl stop ups-driver-snmp.service snmp-agent.service
rm -f "$R/etc/nut/nut.conf"
sed -i '/^\[netups\]/,$d' "$R/etc/nut/ups.conf"
inside systemctl daemon-reload
inside systemctl restart ups-server.service

echo "=== a reboot: what was enabled runs again"
inside systemctl enable ups-server.socket ups-monitor.service >/dev/null 2>&1
reboot
for i in $(seq 100); do
  inside journalctl -b -u ups-monitor.service --no-pager -q 2>/dev/null | grep "logged in" >/dev/null && break
  sleep 0.2
done
for u in ups-driver@myups.service ups-server.socket ups-monitor.service; do
  inside systemctl is-active -q "$u" && pass "after the reboot $u is active" ||
    { inside systemctl status --no-pager "$u" | tail; fail "$u is not running after the reboot"; }
done
inside journalctl -b -u ups-monitor.service --no-pager -q | grep "logged in" >/dev/null && pass "after the reboot upsmon logged in again" ||
  fail "upsmon did not log in after the reboot"

echo "=== faults under systemd, with mains on: none may shut anything down"
logins() { inside journalctl -u ups-monitor.service --no-pager -q | grep -c "logged in" || true; }
upsc_in() { timeout 10 nsenter --net="/proc/$L/ns/net" "$P/bin/upsc" "$@" 2>&1; }
n0=$(logins)
inside systemctl restart ups-server.service
for i in $(seq 100); do [ "$(logins)" -gt "$n0" ] && break; sleep 0.2; done
[ "$(logins)" -gt "$n0" ] && pass "upsd restarted under socket activation: upsmon logged in again" ||
  { inside journalctl --no-pager -q -u ups-monitor -u ups-server | tail -20; fail "upsmon did not log in to the restarted upsd"; }
[ "$(upsc_in myups@127.0.0.1 ups.status)" = OL ] && pass "upsc reads the restarted upsd" || fail "upsc after restart: $(upsc_in myups@127.0.0.1 ups.status)"

inside systemctl kill -s KILL ups-driver@myups.service
for i in $(seq 50); do st=$(upsc_in myups@127.0.0.1 ups.status || true); [ "$st" != OL ] && break; sleep 0.1; done
case $st in *"Driver not connected"*|*"Data stale"*) pass "driver killed: clients see '$st'";; *) fail "driver killed: upsc read '$st'";; esac
for i in $(seq 150); do [ "$(upsc_in myups@127.0.0.1 ups.status)" = OL ] && break; sleep 0.2; done
[ "$(upsc_in myups@127.0.0.1 ups.status)" = OL ] && pass "driver restarted by systemd (Restart=always): OL again" || fail "driver did not come back"

mkdir -p "$R/etc/systemd/system/ups-server.socket.d"
printf '[Socket]\nIPAddressDeny=any\nIPAddressAllow=127.0.0.0/8\n' > "$R/etc/systemd/system/ups-server.socket.d/allow.conf"
inside systemctl daemon-reload
inside systemctl stop ups-server.service ups-server.socket
inside systemctl start ups-server.socket
for i in $(seq 100); do [ "$(upsc_in myups@127.0.0.1 ups.status)" = OL ] && break; sleep 0.2; done
[ "$(upsc_in myups@127.0.0.1 ups.status)" = OL ] && pass "IPAddressAllow=127.0.0.0/8: 127.0.0.1 served" || fail "allowed address refused: $(upsc_in myups@127.0.0.1 ups.status)"
out=$(upsc_in myups@[::1] ups.status || true)
[ "$out" != OL ] && pass "IPAddressDeny=any: [::1] not served ($out)" || fail "denied address [::1] was served"
rm -r "$R/etc/systemd/system/ups-server.socket.d"
inside systemctl daemon-reload
inside systemctl stop ups-server.service ups-server.socket
inside systemctl start ups-server.socket
for i in $(seq 100); do [ "$(upsc_in myups@[::1] ups.status)" = OL ] && break; sleep 0.2; done
[ "$(upsc_in myups@[::1] ups.status)" = OL ] && pass "without the drop-in, [::1] is served again" || fail "[::1] still refused without the drop-in"
echo "=== TLS with the key passed as a credential"
# The key is root's alone (0600): upsd, a dynamic user, reads systemd's copy
# in \$CREDENTIALS_DIRECTORY. Clients verify the certificate against the CA.
T=$P/tls; mkdir -p "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=sysnut-e2e-ca \
  -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
cat "$T/srv.pem" "$T/srv.key" > "$R/etc/nut/upsd.pem"
chmod 0600 "$R/etc/nut/upsd.pem"
printf 'CERTFILE /etc/nut/upsd.pem\n' > "$R/etc/nut/upsd.conf"
chmod 0644 "$R/etc/nut/upsd.conf"
mkdir -p "$R/etc/systemd/system/ups-server.service.d"
printf '[Service]\nLoadCredential=upsd.pem:/etc/nut/upsd.pem\n' > "$R/etc/systemd/system/ups-server.service.d/tls.conf"
inside systemctl daemon-reload
inside systemctl restart ups-server.service
tls_upsc() { NUT_FORCESSL=1 NUT_CERTVERIFY=1 NUT_CERTPATH="$T/ca.pem" upsc_in "$@"; }
for i in $(seq 50); do [ "$(tls_upsc myups@127.0.0.1 ups.status)" = OL ] && break; sleep 0.2; done
[ "$(tls_upsc myups@127.0.0.1 ups.status)" = OL ] &&
  pass "upsc with FORCESSL and CERTVERIFY reads upsd over TLS (key from LoadCredential=, /etc/nut/upsd.pem is $(stat -c '%a %U' "$R/etc/nut/upsd.pem"))" ||
  { inside journalctl --no-pager -q -u ups-server | tail; fail "TLS with a credential key: $(tls_upsc myups@127.0.0.1 ups.status)"; }
inside ls /run/credentials/ups-server.service | grep -x upsd.pem >/dev/null && pass "upsd.pem is in ups-server's credentials" || fail "no upsd.pem credential"
out=$(NUT_CERTHOST=wrong.example tls_upsc myups@127.0.0.1 ups.status || true)
[ "$out" != OL ] && pass "a certificate for another name is refused ($out)" || fail "CERTHOST mismatch accepted"

echo "=== systemctl reload checks the configuration first"
inside systemctl reload ups-server.service && pass "systemctl reload ups-server (upsd -c reload: check, then SIGHUP; key from the credential)" ||
  { inside journalctl --no-pager -q -u ups-server | tail; fail "reload of a good configuration failed"; }
inside systemctl reload ups-monitor.service && pass "systemctl reload ups-monitor (upsmon -c reload)" ||
  { inside journalctl --no-pager -q -u ups-monitor | tail; fail "upsmon reload of a good configuration failed"; }
for f in upsd.conf upsmon.conf; do
  cp -p "$R/etc/nut/$f" "$P/$f.good"
  printf 'BOGUS 1\n' >> "$R/etc/nut/$f"
done
if inside systemctl reload ups-server.service 2>/dev/null; then fail "a broken upsd.conf reloaded"; else pass "a broken upsd.conf fails systemctl reload"; fi
if inside systemctl reload ups-monitor.service 2>/dev/null; then fail "a broken upsmon.conf reloaded"; else pass "a broken upsmon.conf fails systemctl reload"; fi
inside systemctl status ups-server.service --no-pager 2>&1 | grep "reload refused" >/dev/null &&
  pass "systemctl status ups-server says why: $(inside systemctl status ups-server.service --no-pager 2>&1 | grep -m1 -o 'upsd.conf:[0-9]*: unknown directive.*')" ||
  { inside systemctl status ups-server.service --no-pager 2>&1 | tail; fail "status does not say why the reload failed"; }
[ "$(tls_upsc myups@127.0.0.1 ups.status)" = OL ] && inside systemctl is-active -q ups-monitor.service &&
  pass "both keep running on their configuration" || fail "a refused reload disturbed the services"
for f in upsd.conf upsmon.conf; do cp -p "$P/$f.good" "$R/etc/nut/$f"; done

echo "=== a driver with a configuration error: failed, not restarted, the cause in systemctl status"
cp -p "$R/etc/nut/ups.conf" "$P/ups.conf.good"
printf '[bad]\n\tdriver = dummy-ups\n\tport = myups.dev\n\tbogus = 1\n' >> "$R/etc/nut/ups.conf"
inside systemctl daemon-reload
inside systemctl start ups-driver@bad.service 2>/dev/null && fail "a driver with an unknown ups.conf key started"
sleep 7 # past RestartSec=5: a restart would have happened
[ "$(inside systemctl show -p ExecMainStatus --value ups-driver@bad.service)" = 78 ] &&
  [ "$(inside systemctl show -p NRestarts --value ups-driver@bad.service)" = 0 ] &&
  inside systemctl --failed --no-legend --plain | grep "ups-driver@bad.service" >/dev/null &&
  pass "ups-driver@bad: exit 78, in systemctl --failed, not restarted" ||
  { inside systemctl status --no-pager ups-driver@bad.service | tail || true; fail "a configuration error did not leave the driver failed"; }
# (systemctl status exits 3 for a failed unit: read it first, then grep.)
st=$(inside systemctl status --no-pager ups-driver@bad.service 2>&1 || true)
grep -o 'ups.conf:[0-9]*: \[bad\]: "bogus" is not a valid variable name for driver dummy-ups' <<<"$st" | head -1 | sed 's/^/    | /'
grep '"bogus" is not a valid variable name' <<<"$st" >/dev/null &&
  pass "systemctl status ups-driver@bad names the file, line and key" || { echo "$st" | tail; fail "the cause is not in systemctl status"; }
cp -p "$P/ups.conf.good" "$R/etc/nut/ups.conf"
inside systemctl reset-failed ups-driver@bad.service
inside systemctl daemon-reload

sleep 2
inside journalctl -u ups-monitor.service --no-pager -q | grep -E "shutdown proceeding|power-off requested|shutting down" && fail "a fault with mains on started a shutdown"
pass "no shutdown through the faults"

echo "=== power failure"
printf 'ups.status: OB LB\nbattery.charge: 4\n' > "$R/etc/nut/myups.dev.new"
touch -d '+1 minute' "$R/etc/nut/myups.dev.new"
t0=$(date +%s.%N)
mv "$R/etc/nut/myups.dev.new" "$R/etc/nut/myups.dev"
wait_poweroff 60
t1=$(date +%s.%N)
pass "container powered off (nspawn exit 0) $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s after the power failure"

echo "=== the journal says why"
[ "${DEBUG:-0}" = 1 ] && jr -u ups-monitor.service -o verbose | tail -60
jr -u ups-monitor.service -o verbose | grep "NOTIFYTYPE=LOWBATT" >/dev/null && pass "journal: NOTIFYTYPE=LOWBATT" ||
  { jr -u ups-monitor.service | tail; jr | tail -40; fail "no LOWBATT notification in the journal"; }
jr -u ups-monitor.service -o verbose | grep "NOTIFYTYPE=SHUTDOWN" >/dev/null && pass "journal: NOTIFYTYPE=SHUTDOWN" || fail "no SHUTDOWN notification"
jr -u ups-monitor.service | grep "power-off requested" >/dev/null && pass "journal: power-off requested" || fail "no power-off request logged"
# (not grep -q: with pipefail, journalctl's SIGPIPE would fail the pipe)
jr -u ups-monitor.service | grep "POWERDOWNFLAG /etc/killpower is under /etc" >/dev/null &&
  jr -u ups-monitor.service | grep "SHUTDOWNCMD /sbin/shutdown -h +0 is a plain power-off" >/dev/null &&
  pass "journal: Debian's POWERDOWNFLAG and SHUTDOWNCMD handled, and said" || fail "Debian's stock directives not reported"
uids=$(jr _SYSTEMD_UNIT=ups-monitor.service _COMM=upsmon -o export | sed -n 's/^_UID=//p' | sort -u)
want=$(awk -F: '$1=="sysnut-upsmon"{print $3}' "$R/etc/passwd")
[ -n "$want" ] && [ "$uids" = "$want" ] && pass "upsmon ran only as sysnut-upsmon (uid $want)" || fail "upsmon ran as uid(s) '$uids', want '$want'"
jr -u ups-monitor.service | grep -E "on battery|battery is low|FSD|shutdown|power-off|killpower" | sed 's/^/    | /'
tpo=$(jr -u ups-monitor.service -o short-unix | awk '/power-off requested/ && !t {t=$1} END {print t}')
echo "MEASURED: power failure written to the driver's file -> PowerOff requested: $(awk -v a="$t0" -v b="$tpo" 'BEGIN{printf "%.3f", b-a}') s (POLLFREQ 5 s, FINALDELAY 0; NUT: the next poll, up to 5 s)"
jr -u ups-monitor.service | grep "upsd pushes status changes" >/dev/null && pass "journal: upsd pushed the status change (WATCH through socket activation)" ||
  fail "upsmon never watched upsd for status changes"
grep -q "sysnut-killpower: killpower flag set" "$P/console.log" && pass "killpower hook ran at the end of shutdown" ||
  { tail -30 "$P/console.log"; fail "killpower hook did not run"; }
grep "sysnut-killpower" "$P/console.log" | sed 's/^/    | /'
echo "ALL PASSED"
