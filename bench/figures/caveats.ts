// What the figures of a tmpfs tree and of a real cgroup v1 tree can and cannot tell.
export const CAVEAT =
  'The trees live on %FS%, not cgroupfs: every read is a copy from the page cache, while on a node ' +
  'each read of memory.stat & co. runs kernel code (a flush of per-cpu memcg statistics, then ' +
  'kernfs/seq_file formatting). Absolute times here are therefore not those of a node; the ratio to ' +
  'the C floor on the same tree is the figure that carries over. The kernel share of each read is ' +
  "paid alike by both sides and is larger on cgroupfs, while the agent's extra cost is user space, " +
  'so on a real node the ratio should be no worse than here.'

export const REAL_CAVEAT =
  'These are real kernel files: the tree is made of real cgroup v1 memory cgroups (kernel ' +
  "%KERNEL%), so every read of memory.stat & co. runs the kernel's code (memcg statistics flush, " +
  'seq_file formatting) as on a node, for the agent and the C floor alike. But the cgroups are ' +
  'empty (%WRITTEN%), so the pending per-cpu statistics to flush are few and the values are ' +
  'mostly 0; on a busy node with many CPUs and real workloads the kernel share of each read is ' +
  "larger, which pushes the ratio further towards 1. The tree sits under this process's own " +
  'memory cgroup (%PARENT%), so paths are longer than on a node.'
