#!/usr/bin/env bash
# Reproduces the two OOM kills memlens explains, on any Linux machine with cgroups (v1 or v2),
# and shows memlens explaining them:
#   1. anon:  a program allocates until the kernel OOM-kills it at its memory limit;
#   2. dirty: dd writes 2 GiB through the page cache in a small cgroup. Depending on the kernel
#             and filesystem it is OOM-killed (dirty_page_cache) or throttled (dirty pages climb
#             to the limit and the limit-hit counter runs: see memlens top / the peaks).
# Needs root (it creates child cgroups under its own) and a built memlens (npm ci).
# Usage: examples/oom-repro.sh [anon|dirty|both]   (default both)
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-both}
limit_mib=${MEMLENS_DEMO_LIMIT_MIB:-256}
port=${MEMLENS_DEMO_PORT:-9598}
memlens=(node dist/agent/main.js)
[[ -f dist/agent/main.js ]] || npm run -s build

die() { echo "oom-repro: $*" >&2; exit 2; }
[[ $(id -u) == 0 ]] || die "run as root: it creates child memory cgroups"

# Where our own memory cgroup is, and how to make a child of it with a limit.
if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
  version=v2
  mount=/sys/fs/cgroup
  own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
  # A v2 cgroup with processes cannot have children with controllers: use a sibling root.
  parent_rel=/memlens-demo-$$
  mkdir "$mount$parent_rel"
  echo +memory >"$mount$parent_rel/cgroup.subtree_control" 2>/dev/null || true
elif [[ -f /sys/fs/cgroup/memory/memory.usage_in_bytes ]]; then
  version=v1
  mount=/sys/fs/cgroup/memory
  own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
  parent_rel="${own%/}/memlens-demo-$$"
  mkdir "$mount$parent_rel"
else
  die "no cgroup memory controller found under /sys/fs/cgroup"
fi
echo "cgroup $version; demo cgroups under $mount$parent_rel (limit ${limit_mib} MiB each)"

cleanup() {
  [[ -n ${agent_pid:-} ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  rm -f "${scratch:-}"
  for d in "$mount$parent_rel"/*/; do [[ -d $d ]] && rmdir "$d" 2>/dev/null; done
  rmdir "$mount$parent_rel" 2>/dev/null || true
}
trap cleanup EXIT

child() { # name → makes a child cgroup with the limit, prints its directory
  local dir="$mount$parent_rel/$1"
  mkdir "$dir"
  if [[ $version == v2 ]]; then echo $((limit_mib << 20)) >"$dir/memory.max"; else echo $((limit_mib << 20)) >"$dir/memory.limit_in_bytes"; fi
  echo "$dir"
}

run_in() { # dir command... → runs the command inside the cgroup, returns its status
  local dir=$1
  shift
  sh -c "echo \$\$ > '$dir/cgroup.procs' && exec \"\$@\"" sh "$@" || return $?
}

kmsg=()
[[ -r /dev/kmsg ]] && kmsg=(--kmsg /dev/kmsg)
"${memlens[@]}" serve --scope all --cgroup-parent "$parent_rel" --interval 1s --listen "127.0.0.1:$port" "${kmsg[@]}" --log-level warn &
agent_pid=$!
node -e "const u=process.argv[1];(async()=>{for(let i=0;i<100;i++){try{if((await fetch(u)).ok)return}catch{}await new Promise(r=>setTimeout(r,200))}process.exit(1)})()" "http://127.0.0.1:$port/readyz" || die "memlens did not become ready"

if [[ $what == anon || $what == both ]]; then
  dir=$(child anon)
  echo "== anon: a program allocating 2 MiB every 100 ms in $dir"
  run_in "$dir" node -e 'const a = []; setInterval(() => a.push(Buffer.alloc(2 << 20, 1)), 100)' || echo "   exit status $? (137 = killed)"
fi

if [[ $what == dirty || $what == both ]]; then
  dir=$(child dirty)
  scratch=$(mktemp -p "${TMPDIR:-/var/tmp}" memlens-demo.XXXXXX)
  echo "== dirty: dd writing 2 GiB through the page cache in $dir"
  run_in "$dir" dd if=/dev/zero of="$scratch" bs=1M count=2048 status=none || echo "   exit status $? (137 = killed)"
  rm -f "$scratch"
fi

sleep 3
echo
echo "== memlens snapshot (what is charged to the demo cgroups now)"
"${memlens[@]}" snapshot --scope all --cgroup-parent "$parent_rel" || true
echo
echo "== peaks between scrapes (GET /metrics)"
node -e "fetch(process.argv[1]).then((r) => r.text()).then((t) => { for (const l of t.split('\n')) { const m = /^memlens_container_memory_(dirty_writeback|usage)_window_max_bytes\{id=\"([^\"]*)\".* (\d+)$/.exec(l); if (m) console.log(m[1].padEnd(16), (Number(m[3]) / 1048576).toFixed(0).padStart(5) + ' MiB', m[2]) } })" "http://127.0.0.1:$port/metrics"
echo
echo "== memlens explain --server http://127.0.0.1:$port"
"${memlens[@]}" explain --server "http://127.0.0.1:$port" || true
echo
echo "(the same as JSON: curl http://127.0.0.1:$port/api/v1/ooms)"
