#!/usr/bin/env bash
# Re-runs the attack table (test/attacks) as a fresh unprivileged user whose home is outside /tmp
# (the sandbox gives commands a private /tmp: fixtures there would be hidden for the wrong reason).
# Run as root (CI): creates the user under /var/lib, shows it the checkout, runs the suite as it,
# then removes the user. Run as a normal user: runs the suite as that user.
# Exits non-zero when the attacks fail or when unprivileged user namespaces (needed by bubblewrap)
# are disabled, saying which setting to change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "attacks-unprivileged: running test/attacks as $(id -un) (uid $(id -u))" >&2
  cd "$root"
  export CAIRN_ATTACK_ROOT="${CAIRN_ATTACK_ROOT:-$HOME/.cache/cairn-attacks}"
  mkdir -p "$CAIRN_ATTACK_ROOT"
  exec node scripts/run-tests.mjs test/attacks
fi

node_bin=$(command -v node)
user="cairn-attack-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
home="/var/lib/$user"
checkout="$home/checkout"
cleanup() {
  # The checkout is only bind-mounted (inside the private mount namespace below): never deleted.
  userdel "$user" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$home"
}
trap cleanup EXIT
useradd --home-dir "$home" --create-home --shell /bin/sh --user-group "$user"
chmod 0700 "$home"
attack_root="$home/attack-root"
runuser -u "$user" -- mkdir -p "$attack_root" "$checkout"
echo "attacks-unprivileged: user $user (uid $(id -u "$user")), home $home" >&2

as_user() {
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" PATH="$(dirname "$node_bin"):/usr/local/bin:/usr/bin:/bin" \
    LANG=C.UTF-8 CI="${CI:-}" CAIRN_ATTACK_ROOT="$attack_root" "$@"
}

if ! as_user "$node_bin" --version >/dev/null 2>&1; then
  echo "attacks-unprivileged: $user cannot run $node_bin (it lives in a folder only root can read); install node system-wide" >&2
  exit 1
fi
if ! out=$(as_user bwrap --unshare-user --cap-drop ALL --ro-bind / / --proc /proc --dev /dev /bin/true 2>&1); then
  cat >&2 <<EOF
attacks-unprivileged: bubblewrap cannot create a user namespace as an unprivileged user here:
  $out
Cairn's sandbox needs unprivileged user namespaces. Check:
  sysctl user.max_user_namespaces            (must be > 0; now: $(sysctl -n user.max_user_namespaces 2>/dev/null || echo unknown))
  sysctl kernel.unprivileged_userns_clone    (Debian/Ubuntu kernels: must be 1; now: $(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo absent))
  sysctl kernel.apparmor_restrict_unprivileged_userns  (Ubuntu 23.10+: 0, or an AppArmor profile for bwrap; now: $(sysctl -n kernel.apparmor_restrict_unprivileged_userns 2>/dev/null || echo absent))
  and, in a container, a seccomp profile that allows unshare/clone with CLONE_NEWUSER.
EOF
  exit 1
fi

# The checkout may sit under a folder the user cannot traverse (/root): show it at $checkout in a
# mount namespace of its own. Without the right to make one (a container without CAP_SYS_ADMIN),
# copy what the tests need instead.
run_suite='cd "$1" && exec node scripts/run-tests.mjs test/attacks'
if unshare --mount --propagation private true 2>/dev/null; then
  unshare --mount --propagation private sh -c '
    mount --bind "$1" "$2" && shift 2 && exec "$@"
  ' sh "$root" "$checkout" \
    runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" \
    PATH="$(dirname "$node_bin"):/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 CI="${CI:-}" \
    CAIRN_ATTACK_ROOT="$attack_root" sh -c "$run_suite" sh "$checkout"
else
  echo "attacks-unprivileged: cannot make a mount namespace; copying the checkout for $user" >&2
  tar -C "$root" --exclude=./.git --exclude=./dist -cf - . | tar -C "$checkout" -xf -
  chown -R "$user:$user" "$checkout"
  as_user sh -c "$run_suite" sh "$checkout"
fi
