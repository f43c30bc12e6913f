#!/bin/sh
# The real-kernel scenarios (scenarios.ts) on a borrowed machine with a cgroup v2 kernel, where
# neither npm nor tap can be installed. Two steps:
#
#   test/real-kernel/device-v2.sh pack   here: compiles the tests and the agent into .device/ with
#                                        the runtime dependencies, the native reader and a Node binary
#   test/real-kernel/device-v2.sh run    there, as root, from the repository root: delegates a cgroup
#                                        with the memory controller under our own and runs device.js
#
# `run` touches only cgroups under its own: if that one holds processes, it moves them into a leaf
# child (cgroup v2 lets only a cgroup without processes hand controllers to its children).
set -eu
cd "$(dirname "$0")/../.."
B=.device

pack() {
  rm -rf "$B" && mkdir -p "$B/node_modules" "$B/native/build/Release"
  npx tsc -p tsconfig.json --noEmit false --sourceMap false --outDir "$B/dist"
  cp native/build/Release/memlens_native.node "$B/native/build/Release/"
  # memlens's runtime dependencies without the Kubernetes client, which these scenarios never load.
  npm ls --omit=dev --all --parseable | tail -n +2 | grep -v '/node_modules/@kubernetes/' | while read -r dir; do
    rel=${dir#"$PWD/node_modules/"}
    mkdir -p "$B/node_modules/$(dirname "$rel")" && cp -r "$dir" "$B/node_modules/$rel"
  done
  node -p process.versions.modules >"$B/modules"
  xz -T0 -6 -c "$(command -v node)" >"$B/node.xz"
  du -sh "$B"
}

run() {
  out=${OUT:-/tmp/memlens-device}
  mkdir -p "$out"
  node=$(command -v node || true)
  if [ -z "$node" ] || [ "$("$node" -p process.versions.modules)" != "$(cat "$B/modules")" ]; then
    xz -dc "$B/node.xz" >/tmp/memlens-node && chmod +x /tmp/memlens-node && node=/tmp/memlens-node
  fi
  echo "# $(uname -sr); node $("$node" -v)"
  grep cgroup /proc/self/mountinfo | cut -d' ' -f5,9,10
  R=/sys/fs/cgroup
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  echo "# own cgroup: $own; controllers: $(cat $R/cgroup.controllers)"
  base=${own%/}
  if [ -n "$base" ]; then
    mkdir -p "$R$base/memlens-leaf"
    for p in $(cat "$R$base/cgroup.procs"); do echo "$p" >"$R$base/memlens-leaf/cgroup.procs" 2>/dev/null || true; done
  fi
  grep -qw memory "$R$base/cgroup.subtree_control" || echo +memory >"$R$base/cgroup.subtree_control"
  mkdir -p "$R$base/memlens-dev"
  echo +memory >"$R$base/memlens-dev/cgroup.subtree_control"
  export MEMLENS_TEST_V2_PARENT="$base/memlens-dev"
  for d in "$PWD" /var/tmp /tmp; do
    fs=$(stat -f -c %T "$d")
    case $fs in tmpfs | ramfs) continue ;; esac
    export MEMLENS_TEST_WRITE_DIR="$d"
    break
  done
  echo "# writers write to ${MEMLENS_TEST_WRITE_DIR:-nowhere disk-backed} ($fs); vm.dirty_ratio $(cat /proc/sys/vm/dirty_ratio), background $(cat /proc/sys/vm/dirty_background_ratio)"
  rc=0
  "$node" "$B/dist/test/real-kernel/device.js" v2 >"$out/v2.log" 2>&1 || rc=$?
  cat "$out/v2.log"
  # A whole-machine snapshot as a new user would see it on cgroup v2.
  "$node" "$B/dist/agent/main.js" snapshot --json >"$out/snapshot.json" 2>"$out/snapshot.err" || echo "snapshot exited $?"
  head -c 600 "$out/snapshot.json"
  echo
  rmdir "$R$base/memlens-dev" 2>/dev/null || true
  return $rc
}

case ${1:-} in
pack) pack ;;
run) run ;;
*)
  echo "usage: $0 pack|run" >&2
  exit 2
  ;;
esac
