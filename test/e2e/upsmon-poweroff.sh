#!/usr/bin/env bash
# End-to-end under a real systemd (PID 1 in systemd-nspawn): sysnut's units
# run a dummy UPS, upsd (socket-activated, DynamicUser) and upsmon (its own
# static user, allowed by a polkit rule). A simulated power failure must make
# upsmon power the container off through logind, the journal must say why,
# and the system-shutdown killpower hook must run. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; }
[ "$(id -u)" = 0 ] || fail "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null || apt-get install -y -qq --no-install-recommends systemd-container >/dev/null

P=$(mktemp -d /var/tmp/sysnut-e2e.XXXXXX)
R=$P/root
CG=/sys/fs/cgroup/unified/sysnut-e2e
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && CG=/sys/fs/cgroup/sysnut-e2e
CG1=
mountpoint -q /sys/fs/cgroup/systemd && CG1=/sys/fs/cgroup/systemd/sysnut-e2e
NSPAWN= L=
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
cleanup() {
  set +e
  if [ -n "$NSPAWN" ] && alive "$NSPAWN"; then
    [ -n "$L" ] && kill -TERM "$L" 2>/dev/null
    kill -TERM "$NSPAWN" 2>/dev/null; sleep 1; kill -KILL "$NSPAWN" 2>/dev/null
  fi
  wait 2>/dev/null
  umount "$R" 2>/dev/null; umount "$P/ovl" 2>/dev/null
  for d in "$CG" "$CG1"; do [ -n "$d" ] && [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $P"; else rm -rf "$P"; fi
}
trap cleanup EXIT

echo "=== build"
mkdir -p "$P/bin"
for c in upsd ups-driver upsmon upsc; do go build -o "$P/bin/$c" "./cmd/$c"; done

echo "=== container root: an overlay of this machine"
mkdir -p "$P/ovl" "$R"
mount -t tmpfs -o mode=0755,size=1G sysnut-e2e "$P/ovl"
mkdir "$P/ovl/upper" "$P/ovl/work"
mount -t overlay sysnut-e2e -o "lowerdir=/,upperdir=$P/ovl/upper,workdir=$P/ovl/work" "$R"
systemd-id128 new > "$R/etc/machine-id"
for w in "$R"/etc/systemd/system/*.wants/*; do
  [ -e "$w" ] || [ -L "$w" ] || continue
  u=${w##*/}; case $u in *.target) continue;; esac
  ln -sfn /dev/null "$R/etc/systemd/system/$u"
done
mkdir -p "$R/var/log/journal"

echo "=== install sysnut"
install -m 0755 "$P"/bin/* "$R/usr/bin/"
install -m 0644 "$SRC"/units/* "$R/etc/systemd/system/"
install -D -m 0644 "$SRC/sysusers.d/sysnut.conf" "$R/usr/lib/sysusers.d/sysnut.conf"
install -D -m 0644 "$SRC/tmpfiles.d/sysnut.conf" "$R/usr/lib/tmpfiles.d/sysnut.conf"
install -D -m 0644 "$SRC/polkit/rules.d/50-sysnut-upsmon.rules" "$R/etc/polkit-1/rules.d/50-sysnut-upsmon.rules"
install -D -m 0755 "$SRC/shutdown/sysnut-killpower" "$R/usr/lib/systemd/system-shutdown/sysnut-killpower"
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
CONF
cat > "$R/etc/nut/upsmon.conf" <<'CONF'
MONITOR myups@localhost 1 upsmon e2e-secret primary
POLLFREQ 1
POLLFREQALERT 1
FINALDELAY 1
POWERDOWNFLAG /run/sysnut/killpower
CONF
printf 'ups.status: OL\nbattery.charge: 100\n' > "$R/etc/nut/myups.dev"
chmod 0644 "$R"/etc/nut/*

echo "=== boot"
mkdir -p "$CG"; [ -n "$CG1" ] && mkdir -p "$CG1"
(
  echo $BASHPID > "$CG/cgroup.procs"
  [ -n "$CG1" ] && echo $BASHPID > "$CG1/cgroup.procs"
  export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
  exec systemd-nspawn -D "$R" -b -M sysnut-e2e --register=no --keep-unit --link-journal=no \
    --console=read-only --private-network --system-call-filter=bpf systemd.log_color=0
) </dev/null >"$P/console.log" 2>&1 &
NSPAWN=$!
for i in $(seq 400); do
  for p in $(pgrep -P "$NSPAWN"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = systemd ] && L=$p; done
  [ -n "$L" ] && [ -S "/proc/$L/root/run/systemd/private" ] && break
  alive "$NSPAWN" || break
  sleep 0.05
done
[ -n "$L" ] || { cat "$P/console.log"; fail "container did not boot"; }
inside() { nsenter -t "$L" -a -- "$@"; }
state=$(timeout 60 nsenter -t "$L" -a systemctl is-system-running --wait 2>&1 || true)
case $state in running|degraded) pass "systemd up ($state)";; *) fail "system state $state";; esac

echo "=== start the UPS, the server socket and the monitor"
inside systemctl start ups-driver@myups.service ups-server.socket ups-monitor.service ||
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
sleep 2
inside journalctl -u ups-monitor.service --no-pager -q | grep -E "SHUTDOWN|power-off" && fail "a fault with mains on started a shutdown"
pass "no shutdown through the faults"

echo "=== power failure"
printf 'ups.status: OB LB\nbattery.charge: 4\n' > "$R/etc/nut/myups.dev.new"
touch -d '+1 minute' "$R/etc/nut/myups.dev.new"
mv "$R/etc/nut/myups.dev.new" "$R/etc/nut/myups.dev"
t0=$(date +%s.%N)
for i in $(seq 600); do alive "$NSPAWN" || break; sleep 0.1; done
alive "$NSPAWN" && { inside journalctl --no-pager -q -u ups-monitor.service | tail -20; fail "the container did not power off within 60 s"; }
wait "$NSPAWN"; rc=$?
NSPAWN=
t1=$(date +%s.%N)
[ "$rc" = 0 ] && pass "container powered off (nspawn exit 0) $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s after the power failure" || fail "nspawn exit $rc"

echo "=== the journal says why"
J="$R/var/log/journal/$(cat "$R/etc/machine-id")"
[ -d "$J" ] || J=$(ls -d "$R"/var/log/journal/*/ | head -1)
[ "${DEBUG:-0}" = 1 ] && { ls -la "$R/var/log/journal/" "$J"; journalctl -D "$J" --no-pager -q -u ups-monitor.service -o verbose | tail -60; }
jr() { journalctl -D "$J" --no-pager -q "$@"; }
jr -u ups-monitor.service -o verbose | grep "NOTIFYTYPE=LOWBATT" >/dev/null && pass "journal: NOTIFYTYPE=LOWBATT" ||
  { jr -u ups-monitor.service | tail; jr | tail -40; fail "no LOWBATT notification in the journal"; }
jr -u ups-monitor.service -o verbose | grep "NOTIFYTYPE=SHUTDOWN" >/dev/null && pass "journal: NOTIFYTYPE=SHUTDOWN" || fail "no SHUTDOWN notification"
jr -u ups-monitor.service | grep "power-off requested" >/dev/null && pass "journal: power-off requested" || fail "no power-off request logged"
uids=$(jr _SYSTEMD_UNIT=ups-monitor.service _COMM=upsmon -o export | sed -n 's/^_UID=//p' | sort -u)
want=$(awk -F: '$1=="sysnut-upsmon"{print $3}' "$R/etc/passwd")
[ -n "$want" ] && [ "$uids" = "$want" ] && pass "upsmon ran only as sysnut-upsmon (uid $want)" || fail "upsmon ran as uid(s) '$uids', want '$want'"
jr -u ups-monitor.service | grep -E "LOWBATT|SHUTDOWN|power-off|killpower" | sed 's/^/    | /'
tpo=$(jr -u ups-monitor.service -o short-unix | awk '/power-off requested/{print $1; exit}')
echo "MEASURED: power failure written to the driver's file -> PowerOff requested: $(awk -v a="$t0" -v b="$tpo" 'BEGIN{printf "%.2f", b-a}') s (POLLFREQ 1 s, FINALDELAY 1 s)"
grep -q "sysnut-killpower: killpower flag set" "$P/console.log" && pass "killpower hook ran at the end of shutdown" ||
  { tail -30 "$P/console.log"; fail "killpower hook did not run"; }
grep "sysnut-killpower" "$P/console.log" | sed 's/^/    | /'
echo "ALL PASSED"
