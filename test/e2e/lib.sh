# Shared by the integration tests under a real systemd: a throwaway
# container (systemd-nspawn) on an overlay of this machine's root, booted,
# rebooted and powered off for real. Source it, then call e2e_root and boot.
# Needs root.

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; }
[ "$(id -u)" = 0 ] || fail "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null || apt-get install -y -qq --no-install-recommends systemd-container >/dev/null

E2E_NAME=${E2E_NAME:-sysnut-e2e}
P=$(mktemp -d "/var/tmp/$E2E_NAME.XXXXXX")
R=$P/root
CG=/sys/fs/cgroup/unified/$E2E_NAME
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && CG=/sys/fs/cgroup/$E2E_NAME
CG1=
mountpoint -q /sys/fs/cgroup/systemd && CG1=/sys/fs/cgroup/systemd/$E2E_NAME
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

# e2e_root makes the container's root: an overlay of this machine's, with
# a machine ID of its own and every service this machine enabled masked,
# so that only what the test enables starts inside.
e2e_root() {
  echo "=== container root: an overlay of this machine"
  mkdir -p "$P/ovl" "$R"
  mount -t tmpfs -o mode=0755,size=2G "$E2E_NAME" "$P/ovl"
  mkdir "$P/ovl/upper" "$P/ovl/work"
  mount -t overlay "$E2E_NAME" -o "lowerdir=/,upperdir=$P/ovl/upper,workdir=$P/ovl/work" "$R"
  systemd-id128 new > "$R/etc/machine-id"
  local w u
  for w in "$R"/etc/systemd/system/*.wants/*; do
    [ -e "$w" ] || [ -L "$w" ] || continue
    u=${w##*/}; case $u in *.target) continue;; esac
    ln -sfn /dev/null "$R/etc/systemd/system/$u"
  done
  mkdir -p "$R/var/log/journal"
}

# boot starts the container and waits for its systemd; it is called again
# after a reboot (nspawn exits with 133) or a power-off (exit 0).
boot() {
  echo "=== boot"
  mkdir -p "$CG"; [ -n "$CG1" ] && mkdir -p "$CG1"
  L=
  (
    echo $BASHPID > "$CG/cgroup.procs"
    [ -n "$CG1" ] && echo $BASHPID > "$CG1/cgroup.procs"
    export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
    exec systemd-nspawn -D "$R" -b -M "$E2E_NAME" --register=no --keep-unit --link-journal=no \
      --console=read-only --private-network --system-call-filter=bpf systemd.log_color=0
  ) </dev/null >>"$P/console.log" 2>&1 &
  NSPAWN=$!
  local i p state
  for i in $(seq 400); do
    for p in $(pgrep -P "$NSPAWN"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = systemd ] && L=$p; done
    [ -n "$L" ] && [ -S "/proc/$L/root/run/systemd/private" ] && break
    alive "$NSPAWN" || break
    sleep 0.05
  done
  [ -n "$L" ] || { cat "$P/console.log"; fail "container did not boot"; }
  state=$(timeout 60 nsenter -t "$L" -a systemctl is-system-running --wait 2>&1 || true)
  case $state in running|degraded) pass "systemd up ($state)";; *) fail "system state $state";; esac
}

# inside runs a command in the container (not in a unit).
inside() { nsenter -t "$L" -a -- "$@"; }

# reboot reboots the container and boots it again.
reboot() {
  inside systemctl reboot || true
  local rc=0; wait "$NSPAWN" 2>/dev/null || rc=$?
  [ "$rc" = 133 ] && pass "container rebooted (nspawn exit 133)" || fail "reboot: nspawn exited $rc"
  boot
}

# wait_poweroff waits up to $1 seconds for the container to power off by
# itself and checks that it did so cleanly.
wait_poweroff() {
  local i rc
  for i in $(seq $(($1 * 10))); do alive "$NSPAWN" || break; sleep 0.1; done
  alive "$NSPAWN" && { inside journalctl --no-pager -q -u ups-monitor.service | tail -20; fail "the container did not power off within $1 s"; }
  rc=0; wait "$NSPAWN" || rc=$?
  NSPAWN=
  [ "$rc" = 0 ] || fail "power-off: nspawn exit $rc"
}

# jr reads the container's journal from outside (after it powered off).
jr() {
  local j="$R/var/log/journal/$(cat "$R/etc/machine-id")"
  [ -d "$j" ] || j=$(ls -d "$R"/var/log/journal/*/ | head -1)
  journalctl -D "$j" --no-pager -q "$@"
}
