#!/usr/bin/env bash
# The path a Debian administrator takes, under a real systemd (nspawn): a
# machine that runs NUT from Debian's packages with Debian's stock
# configuration (0640 root:nut files, MODE=, POWERDOWNFLAG /etc/killpower,
# SHUTDOWNCMD "/sbin/shutdown -h +0", a MONITOR line, a dummy UPS) gets the
# sysnut package installed over NUT's without a file edited: the package
# is built here with dpkg-buildpackage and checked with lintian; NUT's
# packages go, sysnut starts every part, upsc prints what it printed under
# NUT; after a reboot everything runs again; a power failure powers the
# machine off; removing sysnut and installing NUT's packages again gives
# the machine back to NUT. Needs root, and the network once (apt-get
# download of NUT's packages, for the way back).
set -euo pipefail
cd "$(dirname "$0")/../.."
E2E_NAME=sysnut-deb
. test/e2e/lib.sh

echo "=== build the package (dpkg-buildpackage) and check it (lintian)"
command -v dh >/dev/null && command -v lintian >/dev/null ||
  apt-get install -y -qq --no-install-recommends debhelper lintian >/dev/null
mkdir -p "$P/src/sysnut"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$P/src/sysnut"
(cd "$P/src/sysnut" && dpkg-buildpackage -b -uc -us) >"$P/build.log" 2>&1 || { tail -30 "$P/build.log"; fail "dpkg-buildpackage"; }
DEB=$(ls "$P"/src/sysnut_*.deb)
pass "dpkg-buildpackage built ${DEB##*/}"
# Every tag lintian knows, down to pedantic; the ones that remain are
# explained in debian/sysnut.lintian-overrides.
lrc=0; out=$(lintian --pedantic -I --fail-on error,warning,info,pedantic "$DEB" 2>&1) || lrc=$?
out=$(grep -v "running with root privileges" <<<"$out" || true)
[ "$lrc" = 0 ] && [ -z "$out" ] && pass "lintian --pedantic: clean" || fail "lintian (exit $lrc): $out"
# NUT's packages for the way back (the container has no network).
mkdir -p "$P/nut-debs"
(cd "$P/nut-debs" && apt-get download -q nut-server nut-client >/dev/null 2>&1) ||
  fail "apt-get download nut-server nut-client (needs the network)"

e2e_root

echo "=== NUT, configured the Debian way"
# NUT's own units were masked with everything else this machine enabled.
# A container image's policy-rc.d (exit 101) stops maintainer scripts from
# starting services; an installed Debian system has none.
rm -f "$R/usr/sbin/policy-rc.d"
rm -f "$R"/etc/systemd/system/nut-*.service "$R"/etc/systemd/system/nut-*.path
# The files as nut-server and nut-client installed them (0640 root:nut),
# with what an administrator adds to them.
for f in nut.conf ups.conf upsd.conf upsd.users upsmon.conf upssched.conf; do
  chroot "$R" dpkg-query -S "/etc/nut/$f" >/dev/null || fail "/etc/nut/$f is not a NUT conffile here"
  cp "/etc/nut/$f" "$R/etc/nut/$f"
done
sed -i 's/^MODE=none$/MODE=standalone/' "$R/etc/nut/nut.conf"
grep -qx MODE=standalone "$R/etc/nut/nut.conf" || fail "stock nut.conf has no MODE=none line"
cat >> "$R/etc/nut/ups.conf" <<'CONF'

[myups]
	driver = dummy-ups
	port = myups.dev
	desc = "Server room UPS"
CONF
cat >> "$R/etc/nut/upsd.users" <<'CONF'

[monuser]
	password = deb-secret
	upsmon primary
CONF
cat >> "$R/etc/nut/upsmon.conf" <<'CONF'

MONITOR myups@localhost 1 monuser deb-secret primary
CONF
cat > "$R/etc/nut/myups.dev" <<'DEV'
device.mfr: Eaton
device.model: 5E 1100i
device.serial: G123A45678
device.type: ups
ups.status: OL
battery.charge: 100
battery.runtime: 1800
input.voltage: 230.4
output.voltage: 230.0
ups.load: 23
DEV
chroot "$R" chown root:nut /etc/nut/myups.dev /etc/nut/ups.conf /etc/nut/upsd.users /etc/nut/upsmon.conf
chmod 0640 "$R"/etc/nut/*
(cd "$R/etc/nut" && stat -c '%n %a %U:%G' nut.conf ups.conf upsd.users upsmon.conf | sed 's/^/    | /')
(cd "$R/etc/nut" && sha256sum nut.conf ups.conf upsd.conf upsd.users upsmon.conf upssched.conf) > "$P/conf.sum"
grep -E '^(POWERDOWNFLAG|SHUTDOWNCMD|FINALDELAY|POLLFREQ) ' "$R/etc/nut/upsmon.conf" | sed 's/^/    | upsmon.conf: /'
cp "$DEB" "$R/var/tmp/"
mkdir -p "$R/var/tmp/nut-debs" && cp "$P"/nut-debs/*.deb "$R/var/tmp/nut-debs/"

boot

# upsc_all prints upsc's whole answer for myups, without driver.* (which
# names the driver program), once the driver has read the whole file.
upsc_all() {
  local i out
  for i in $(seq 150); do
    out=$(inside upsc myups@localhost 2>/dev/null | grep -v '^driver\.' || true)
    grep -q '^ups.load: ' <<<"$out" && { echo "$out"; return 0; }
    sleep 0.2
  done
  echo "$out" >&2
  return 1
}
# logged_in waits for "$1" in this boot's journal of the monitor unit $2.
logged_in() {
  local i
  for i in $(seq 150); do
    inside journalctl -b -u "$2" --no-pager -q 2>/dev/null | grep -E "$1" >/dev/null && return 0
    sleep 0.2
  done
  return 1
}

nut_state=$(upsc_all) || { inside systemctl status --no-pager 'nut-*' | tail -30; fail "NUT's upsc got nothing from NUT"; }
echo "$nut_state" > "$P/nut.upsc"
inside systemctl is-active -q nut-server.service nut-monitor.service 'nut-driver@myups.service' &&
  pass "NUT runs: nut-server, nut-monitor, nut-driver@myups; upsc prints $(wc -l <"$P/nut.upsc") lines" ||
  fail "NUT is not running the Debian way"

echo "=== install the sysnut package over NUT's"
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/var/tmp/${DEB##*/}" >"$P/apt.log" 2>&1 ||
  { tail -30 "$P/apt.log"; fail "apt-get install sysnut"; }
grep -E '^(Removing|Setting up|Unpacking) ' "$P/apt.log" | sed 's/^/    | /'
for p in nut-server nut-client; do
  [ "$(inside dpkg-query -W -f '${db:Status-Abbrev}' $p 2>/dev/null)" = "rc " ] || fail "$p is still installed"
done
pass "apt removed nut-server and nut-client (their conffiles stay)"
sum_unchanged() { (cd "$R/etc/nut" && sha256sum -c --quiet "$P/conf.sum") || fail "a file in /etc/nut was changed"; }
sum_unchanged; pass "no file in /etc/nut was edited"

# sysnut_runs checks every part after an install or a boot.
sysnut_runs() {
  local u
  logged_in "logged in" ups-monitor.service || { inside systemctl status --no-pager sysnut.target 'ups-*' | tail -40; inside journalctl -b --no-pager -q | tail -60; fail "$1: upsmon never logged in"; }
  for u in sysnut.target ups-driver@myups.service ups-server.socket ups-server.service ups-monitor.service; do
    inside systemctl is-active -q "$u" || { inside systemctl status --no-pager "$u" | tail; fail "$1: $u is not active"; }
  done
  pass "$1: sysnut.target, ups-driver@myups, ups-server (socket-activated) and ups-monitor are active, upsmon logged in"
  local st; st=$(upsc_all) || fail "$1: upsc got nothing"
  if [ "$st" = "$(cat "$P/nut.upsc")" ]; then pass "$1: upsc prints what it printed under NUT ($(wc -l <<<"$st") lines, driver.* aside)"
  else diff <(echo "$st") "$P/nut.upsc" || true; fail "$1: upsc differs from NUT's"; fi
  [ -z "$(inside systemctl list-units --no-legend --state=active 'nut-*')" ] || fail "$1: a NUT unit is running"
}
sysnut_runs "after the install"
[ "$(inside systemctl is-enabled sysnut.target)" = enabled ] && pass "sysnut.target enabled through its preset" || fail "sysnut.target not enabled"
inside id sysnut-upsmon >/dev/null && inside id sysnut-driver >/dev/null && inside test -d /run/sysnut &&
  pass "sysusers and tmpfiles ran (sysnut-upsmon, sysnut-driver, /run/sysnut)" || fail "users or directories missing"
inside journalctl --list-catalog 2>/dev/null | grep -i "UPS on battery" >/dev/null && pass "journal catalog updated (dpkg trigger)" || fail "catalog not updated"
st=$(inside busctl get-property org.sysnut.UPS1 /org/sysnut/UPS1/ups/myups org.sysnut.UPS1.Device Status 2>&1 || true)
[ "$st" = 's "OL"' ] && pass "the bus policy is loaded: busctl reads Status $st" || fail "busctl read '$st'"
inside journalctl -b -u ups-monitor.service --no-pager -q | grep -c "POWERDOWNFLAG /etc/killpower is under /etc" | grep -qx 1 &&
  pass "journal says once how Debian's POWERDOWNFLAG is handled" || fail "POWERDOWNFLAG not reported exactly once"
inside /sbin/upsmon -V >/dev/null && inside /sbin/upsd -V >/dev/null && pass "/sbin/upsmon and /sbin/upsd still answer (scripts that call NUT's paths)" ||
  fail "no /sbin/upsmon or /sbin/upsd"

echo "=== a reboot"
reboot
sysnut_runs "after the reboot"

echo "=== a power failure"
printf 'ups.status: OB LB\nbattery.charge: 4\n' > "$R/etc/nut/myups.dev.new"
chroot "$R" chown root:nut /etc/nut/myups.dev.new && chmod 0640 "$R/etc/nut/myups.dev.new"
mv "$R/etc/nut/myups.dev.new" "$R/etc/nut/myups.dev"
wait_poweroff 60
pass "the container powered off (Debian's SHUTDOWNCMD became logind's PowerOff)"
jr -u ups-monitor.service | grep "power-off requested" >/dev/null && pass "journal: power-off requested" || fail "no power-off request logged"
grep -q "sysnut-killpower: killpower flag set" "$P/console.log" && pass "the killpower hook ran at the end of the shutdown" ||
  { tail -30 "$P/console.log"; fail "killpower hook did not run"; }

echo "=== mains returns; then sysnut is removed and NUT installed again"
printf 'device.mfr: Eaton\ndevice.model: 5E 1100i\ndevice.serial: G123A45678\ndevice.type: ups\nups.status: OL\nbattery.charge: 100\nbattery.runtime: 1800\ninput.voltage: 230.4\noutput.voltage: 230.0\nups.load: 23\n' > "$R/etc/nut/myups.dev"
boot
sysnut_runs "after power returned"
inside env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q sysnut >"$P/apt-remove.log" 2>&1 ||
  { tail -20 "$P/apt-remove.log"; fail "apt-get remove sysnut"; }
[ -z "$(inside systemctl list-units --no-legend --state=active 'ups-*' 'sysnut*')" ] && [ ! -e "$R/usr/bin/upsd" ] &&
  pass "apt-get remove sysnut: nothing of sysnut runs or remains in /usr/bin" ||
  { inside systemctl list-units --no-legend 'ups-*' 'sysnut*'; fail "sysnut left something running"; }
inside sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /var/tmp/nut-debs/*.deb' >"$P/apt-nut.log" 2>&1 ||
  { tail -30 "$P/apt-nut.log"; fail "apt-get install nut-server nut-client"; }
sum_unchanged
st=$(upsc_all) || { inside systemctl status --no-pager 'nut-*' | tail -30; fail "NUT's upsc got nothing after NUT came back"; }
[ "$st" = "$(cat "$P/nut.upsc")" ] && inside systemctl is-active -q nut-server.service nut-monitor.service 'nut-driver@myups.service' &&
  pass "NUT is back: nut-server, nut-monitor and nut-driver@myups run, upsc prints what it printed before" ||
  { diff <(echo "$st") "$P/nut.upsc" || true; fail "NUT did not come back"; }
echo "ALL PASSED"
