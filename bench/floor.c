/*
 * The floor memlens is measured against: the least a program can do to collect the same numbers
 * as `memlens serve` does per collection, so that the agent's CPU over the floor's is what the
 * agent's way of doing it costs, not that it does more than the floor. A whole pass is three
 * parts, each what the agent has to do and nothing more:
 *
 *   1. discovery: opendir, readdir to the end, closedir of every directory in DIRSFILE (-d): the
 *      directories the agent lists to find the cgroups. floor.ts derives them from LISTFILE:
 *      every ancestor of a listed cgroup from the hierarchy root down (the root, kubepods, the
 *      QoS slices, each pod). Container directories are not listed (the agent finds them in
 *      their pod's listing and never looks below them). Nor is what lies beside kubepods: the
 *      agent lists system.slice and its services too, not knowing where kubepods is; a program
 *      that knew would not, so the floor does not.
 *   2. memory files: for every cgroup directory in LISTFILE, open, read whole and close the
 *      memory files given by SPEC, and parse them into a small array of numbers.
 *   3. processes (the agent's process view): for every container cgroup in CONTAINERSFILE (-c;
 *      floor.ts: the listed cgroups with no listed child), open, read and close its cgroup.procs,
 *      parse the PIDs (0 and anything not a digit skipped, as the agent does), then open, read
 *      and close /proc/PID/status of each and parse its VmRSS. A PID that is gone (ENOENT,
 *      ESRCH) is counted, not fatal.
 *
 * The memory files alone (part 2) were the whole floor before the agent read processes; they are
 * still measured, in passes of their own alternating with the whole passes, so the old figure
 * stays comparable. Without -d and -c a whole pass is part 2 alone and the two figures are one.
 *
 *   floor [-i INTERVAL_MS] [-d DIRSFILE] [-c CONTAINERSFILE] LISTFILE v1|v2 PASSES WARMUP SPEC...
 *
 * -i: start a timed round every INTERVAL_MS (the first one INTERVAL_MS after the warm-up), so the
 * floor runs at the agent's pace, one pass per collection interval, beside it in the same window
 * instead of back to back.
 *
 * LISTFILE, DIRSFILE, CONTAINERSFILE: one directory per line. SPEC: `name:format[:key,key,...]`,
 * built by bench/files.js (the one list of files), format one of
 *   single  one number, or `max` (none)                 memory.current, memory.limit_in_bytes
 *   flat    `key value` lines; only the listed keys kept memory.stat, memory.events
 *   psi     `some|full avg10=.. total=N`; totals kept    memory.pressure
 *
 * Prints one JSON object. After WARMUP untimed rounds, PASSES timed rounds, each a memory-files
 * pass then a whole pass:
 *   nsPerPass, cpuNsPerPass              wall and CPU (CLOCK_PROCESS_CPUTIME_ID) ns of each whole pass
 *   medianNs, minNs                      of nsPerPass
 *   memoryNsPerPass, memoryCpuNsPerPass  the same of each memory-files pass (part 2 alone)
 *   openedPerPass, bytesPerPass          files opened and bytes read by a whole pass (all parts)
 *   memoryOpenedPerPass                  memory files opened per pass
 *   missingPerPass                       memory files absent per pass
 *   dirsListedPerPass, dirEntriesPerPass directories listed and entries read (part 1)
 *   procsReadPerPass, pidsPerPass        cgroup.procs files read and PIDs in them (part 3)
 *   statusReadPerPass, statusGonePerPass /proc/PID/status read, and PIDs whose status was gone
 *   vmRssKb                              sum of the VmRSS read by the last whole pass
 *   absentFields, checksum               memory values never found, and the sum of the others
 *                                        (so nothing is optimised away and two runs on the same
 *                                        tree can be compared)
 *
 * Deliberately like the agent's syscall pattern: open(full path), read() into one reused buffer
 * until a read returns less than asked (the end), close(). No fstat, no openat() on a directory
 * fd, no mmap, no threads.
 *
 * Build: gcc -O2 -o bench/out/floor bench/floor.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ABSENT UINT64_MAX          /* file or key missing */
#define UNLIMITED (UINT64_MAX - 1) /* `max` */
#define MAX_KEYS 64
#define PROC_ROOT "/proc"

enum format { SINGLE, FLAT, PSI };

struct spec {
  const char *name;
  size_t name_len;
  enum format format;
  int nkeys;
  const char *keys[MAX_KEYS];
  size_t key_lens[MAX_KEYS];
  int first_field; /* index of this file's first value in a cgroup's value row */
};

struct dir_list {
  char **dirs;
  size_t *lens;
  size_t n;
};

/* What one kind of pass did, summed over the timed passes. */
struct counts {
  uint64_t opened, memory_opened, missing, bytes;
  uint64_t dirs_listed, dir_entries, procs_read, pids, status_read, status_gone;
};

static char buf[64 * 1024];
static char path[8192];
static struct counts *cnt; /* where the running pass counts */
static uint64_t *pid_list;
static size_t pid_cap;
static uint64_t vm_rss_kb; /* VmRSS summed over the last whole pass */

static void die(const char *what) {
  fprintf(stderr, "floor: %s\n", what);
  exit(2);
}

static uint64_t parse_u64(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  if (end - p >= 3 && p[0] == 'm' && p[1] == 'a' && p[2] == 'x') return UNLIMITED;
  uint64_t v = 0;
  const char *start = p;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
  return p == start ? ABSENT : v;
}

static void parse_flat(const struct spec *s, const char *p, const char *end, uint64_t *out) {
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL) eol = end;
    const char *sp = memchr(p, ' ', (size_t)(eol - p));
    if (sp != NULL) {
      size_t klen = (size_t)(sp - p);
      for (int k = 0; k < s->nkeys; k++) {
        if (s->key_lens[k] == klen && memcmp(s->keys[k], p, klen) == 0) {
          out[k] = parse_u64(sp + 1, eol);
          break;
        }
      }
    }
    p = eol + 1;
  }
}

/* some avg10=0.00 avg60=0.00 avg300=0.00 total=0 */
static void parse_psi(const char *p, const char *end, uint64_t *out) {
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL) eol = end;
    int slot = (eol - p >= 4 && memcmp(p, "some", 4) == 0) ? 0 : (eol - p >= 4 && memcmp(p, "full", 4) == 0) ? 1 : -1;
    if (slot >= 0) {
      const char *t = memmem(p, (size_t)(eol - p), "total=", 6);
      if (t != NULL) out[slot] = parse_u64(t + 6, eol);
    }
    p = eol + 1;
  }
}

static int gone(int err) { return err == ENOENT || err == ESRCH; }

/* Reads one whole file into buf; returns its length, or -1 when it is gone (ENOENT, ESRCH). */
static ssize_t read_file(const char *file) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (gone(errno)) return -1;
    perror(file);
    exit(1);
  }
  cnt->opened++;
  size_t len = 0;
  for (;;) {
    if (len == sizeof buf) die("file larger than the 64 KiB buffer");
    ssize_t n = read(fd, buf + len, sizeof buf - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (gone(errno)) { /* a process that exited between open and read */
        close(fd);
        return -1;
      }
      perror(file);
      exit(1);
    }
    len += (size_t)n;
    /* A read shorter than asked is the end (seq_file fills the buffer unless it has no more),
       so a small file costs open, one read, close: the same pattern as the agent. */
    if ((size_t)n < sizeof buf - (len - (size_t)n)) break;
  }
  close(fd);
  cnt->bytes += len;
  return (ssize_t)len;
}

/* Part 1: list a directory to the end, as discovery does (the names are only counted). */
static void list_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    perror(dir);
    exit(1);
  }
  cnt->dirs_listed++;
  errno = 0;
  while (readdir(d) != NULL) cnt->dir_entries++;
  if (errno != 0) {
    perror(dir);
    exit(1);
  }
  closedir(d);
}

/* Part 2: the memory files of one cgroup, parsed into its row of values. */
static void read_memory(const char *dir, size_t dir_len, const struct spec *specs, int nspecs, int nfields,
                        uint64_t *row) {
  for (int f = 0; f < nfields; f++) row[f] = ABSENT;
  memcpy(path, dir, dir_len);
  path[dir_len] = '/';
  for (int i = 0; i < nspecs; i++) {
    const struct spec *s = &specs[i];
    memcpy(path + dir_len + 1, s->name, s->name_len + 1);
    ssize_t len = read_file(path);
    if (len < 0) {
      cnt->missing++;
      continue;
    }
    cnt->memory_opened++;
    uint64_t *out = row + s->first_field;
    switch (s->format) {
      case SINGLE: out[0] = parse_u64(buf, buf + len); break;
      case FLAT: parse_flat(s, buf, buf + len, out); break;
      case PSI: parse_psi(buf, buf + len, out); break;
    }
  }
}

/* `VmRSS:\t    1024 kB` of a /proc/PID/status in buf; 0 when absent (kernel threads, zombies). */
static uint64_t status_vm_rss_kb(const char *p, const char *end) {
  const char *k = memmem(p, (size_t)(end - p), "\nVmRSS:", 7);
  if (k == NULL) return 0;
  uint64_t v = parse_u64(k + 7, end);
  return v == ABSENT || v == UNLIMITED ? 0 : v;
}

/* Part 3: the processes of one container cgroup: its cgroup.procs, then each PID's status. */
static void read_processes(const char *dir, size_t dir_len) {
  static const char procs[] = "/cgroup.procs";
  memcpy(path, dir, dir_len);
  memcpy(path + dir_len, procs, sizeof procs);
  ssize_t len = read_file(path);
  if (len < 0) {
    fprintf(stderr, "floor: %s is gone\n", path);
    exit(1);
  }
  cnt->procs_read++;
  /* PIDs first (buf is reused by the status reads): runs of digits, 0 skipped. */
  size_t npids = 0;
  uint64_t n = 0;
  int digits = 0;
  for (ssize_t i = 0; i <= len; i++) {
    char c = i < len ? buf[i] : '\n';
    if (c >= '0' && c <= '9') {
      n = n * 10 + (uint64_t)(c - '0');
      digits = 1;
      continue;
    }
    if (digits && n > 0) {
      if (npids == pid_cap) {
        pid_cap = pid_cap ? 2 * pid_cap : 64;
        pid_list = realloc(pid_list, pid_cap * sizeof *pid_list);
        if (pid_list == NULL) die("out of memory");
      }
      pid_list[npids++] = n;
    }
    n = 0;
    digits = 0;
  }
  cnt->pids += npids;
  for (size_t i = 0; i < npids; i++) {
    /* PROC_ROOT "/" PID "/status", the PID's digits written backwards then reversed. */
    memcpy(path, PROC_ROOT "/", sizeof PROC_ROOT); /* sizeof counts the NUL: room for the '/' */
    char *q = path + sizeof PROC_ROOT;
    char *first = q;
    for (uint64_t v = pid_list[i]; v > 0; v /= 10) *q++ = (char)('0' + v % 10);
    for (char *a = first, *b = q - 1; a < b; a++, b--) {
      char t = *a;
      *a = *b;
      *b = t;
    }
    memcpy(q, "/status", sizeof "/status");
    ssize_t slen = read_file(path);
    if (slen < 0) {
      cnt->status_gone++;
      continue;
    }
    cnt->status_read++;
    vm_rss_kb += status_vm_rss_kb(buf, buf + slen);
  }
}

struct work {
  struct dir_list cgroups, walk, containers;
  struct spec *specs;
  int nspecs, nfields;
  uint64_t *values;
};

/* Part 2 alone: what the floor was before the agent read processes. */
static void memory_pass(const struct work *w) {
  for (size_t d = 0; d < w->cgroups.n; d++)
    read_memory(w->cgroups.dirs[d], w->cgroups.lens[d], w->specs, w->nspecs, w->nfields,
                w->values + d * (size_t)w->nfields);
}

/* Parts 1, 2 and 3: what the agent does per collection. */
static void whole_pass(const struct work *w) {
  for (size_t d = 0; d < w->walk.n; d++) list_dir(w->walk.dirs[d]);
  memory_pass(w);
  vm_rss_kb = 0;
  for (size_t d = 0; d < w->containers.n; d++) read_processes(w->containers.dirs[d], w->containers.lens[d]);
}

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs one pass; its wall and CPU nanoseconds into *ns and *cpu_ns. */
static void timed_pass(void (*pass)(const struct work *), const struct work *w, uint64_t *ns, uint64_t *cpu_ns) {
  uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  pass(w);
  *ns = now_ns(CLOCK_MONOTONIC) - t0;
  *cpu_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void parse_spec(char *arg, struct spec *s, int first_field, int *nfields) {
  char *name = strtok(arg, ":");
  char *format = strtok(NULL, ":");
  char *keys = strtok(NULL, ":");
  if (name == NULL || format == NULL) die("bad SPEC, want name:format[:keys]");
  s->name = name;
  s->name_len = strlen(name);
  s->first_field = first_field;
  s->nkeys = 0;
  if (strcmp(format, "single") == 0) {
    s->format = SINGLE;
    *nfields = 1;
  } else if (strcmp(format, "psi") == 0) {
    s->format = PSI;
    *nfields = 2;
  } else if (strcmp(format, "flat") == 0) {
    s->format = FLAT;
    if (keys == NULL) die("flat SPEC needs keys");
    for (char *k = strtok(keys, ","); k != NULL; k = strtok(NULL, ",")) {
      if (s->nkeys == MAX_KEYS) die("too many keys");
      s->keys[s->nkeys] = k;
      s->key_lens[s->nkeys] = strlen(k);
      s->nkeys++;
    }
    *nfields = s->nkeys;
  } else {
    die("unknown format");
  }
}

/* One directory per line; trailing slashes dropped, blank lines skipped. */
static struct dir_list read_list(const char *file) {
  struct dir_list l = {NULL, NULL, 0};
  FILE *f = fopen(file, "r");
  if (f == NULL) {
    perror(file);
    exit(1);
  }
  size_t cap = 0;
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t n;
  while ((n = getline(&line, &line_cap, f)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '/')) line[--n] = '\0';
    if (n == 0) continue;
    if ((size_t)n + 256 > sizeof path) die("directory path too long");
    if (l.n == cap) {
      cap = cap ? 2 * cap : 1024;
      l.dirs = realloc(l.dirs, cap * sizeof *l.dirs);
      l.lens = realloc(l.lens, cap * sizeof *l.lens);
      if (l.dirs == NULL || l.lens == NULL) die("out of memory");
    }
    l.dirs[l.n] = strdup(line);
    l.lens[l.n] = (size_t)n;
    l.n++;
  }
  fclose(f);
  free(line);
  return l;
}

static void print_list(const char *key, const uint64_t *v, int n) {
  printf(",\"%s\":[", key);
  for (int i = 0; i < n; i++) printf("%s%llu", i ? "," : "", (unsigned long long)v[i]);
  printf("]");
}

static void print_count(const char *key, uint64_t total, int passes) {
  printf(",\"%s\":%llu", key, (unsigned long long)(total / (uint64_t)passes));
}

int main(int argc, char **argv) {
  const char *usage =
      "usage: floor [-i INTERVAL_MS] [-d DIRSFILE] [-c CONTAINERSFILE] LISTFILE v1|v2 PASSES WARMUP name:format[:keys]...\n";
  const char *dirs_file = NULL, *containers_file = NULL;
  long interval_ms = 0;
  int opt;
  while ((opt = getopt(argc, argv, "+d:c:i:")) != -1) {
    if (opt == 'd') dirs_file = optarg;
    else if (opt == 'c') containers_file = optarg;
    else if (opt == 'i') {
      interval_ms = atol(optarg);
      if (interval_ms < 0) die("INTERVAL_MS >= 0");
    }
    else {
      fputs(usage, stderr);
      return 2;
    }
  }
  argc -= optind;
  argv += optind;
  if (argc < 5) {
    fputs(usage, stderr);
    return 2;
  }
  const char *version = argv[1];
  if (strcmp(version, "v1") != 0 && strcmp(version, "v2") != 0) die("version must be v1 or v2");
  int passes = atoi(argv[2]), warmup = atoi(argv[3]);
  if (passes < 1 || warmup < 0) die("PASSES >= 1, WARMUP >= 0");

  struct work w = {0};
  w.nspecs = argc - 4;
  w.specs = calloc((size_t)w.nspecs, sizeof *w.specs);
  if (w.specs == NULL) die("out of memory");
  for (int i = 0; i < w.nspecs; i++) {
    int n = 0;
    parse_spec(argv[4 + i], &w.specs[i], w.nfields, &n);
    w.nfields += n;
  }
  w.cgroups = read_list(argv[0]);
  if (w.cgroups.n == 0) die("empty list");
  if (dirs_file != NULL) w.walk = read_list(dirs_file);
  if (containers_file != NULL) w.containers = read_list(containers_file);
  int whole_differs = dirs_file != NULL || containers_file != NULL;

  w.values = malloc(w.cgroups.n * (size_t)w.nfields * sizeof *w.values);
  uint64_t *ns = malloc((size_t)passes * sizeof *ns);
  uint64_t *cpu_ns = malloc((size_t)passes * sizeof *cpu_ns);
  uint64_t *mem_ns = malloc((size_t)passes * sizeof *mem_ns);
  uint64_t *mem_cpu_ns = malloc((size_t)passes * sizeof *mem_cpu_ns);
  if (w.values == NULL || ns == NULL || cpu_ns == NULL || mem_ns == NULL || mem_cpu_ns == NULL) die("out of memory");

  struct counts mem = {0}, whole = {0}, untimed = {0};
  cnt = &untimed;
  for (int i = 0; i < warmup; i++) {
    if (whole_differs) memory_pass(&w);
    whole_pass(&w);
  }
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (int i = 0; i < passes; i++) {
    if (interval_ms > 0) {
      next.tv_sec += interval_ms / 1000;
      next.tv_nsec += (interval_ms % 1000) * 1000000L;
      if (next.tv_nsec >= 1000000000L) {
        next.tv_sec++;
        next.tv_nsec -= 1000000000L;
      }
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
      }
    }
    if (whole_differs) {
      cnt = &mem;
      timed_pass(memory_pass, &w, &mem_ns[i], &mem_cpu_ns[i]);
    }
    cnt = &whole;
    timed_pass(whole_pass, &w, &ns[i], &cpu_ns[i]);
    if (!whole_differs) {
      mem_ns[i] = ns[i];
      mem_cpu_ns[i] = cpu_ns[i];
    }
  }
  if (!whole_differs) mem = whole;

  uint64_t checksum = 0, absent = 0;
  for (size_t i = 0; i < w.cgroups.n * (size_t)w.nfields; i++) {
    if (w.values[i] == ABSENT) absent++;
    else if (w.values[i] != UNLIMITED) checksum += w.values[i];
  }

  printf("{\"version\":\"%s\",\"cgroups\":%zu,\"files\":%d,\"fields\":%d,\"passes\":%d,\"warmup\":%d", version, w.cgroups.n,
         w.nspecs, w.nfields, passes, warmup);
  print_list("nsPerPass", ns, passes);
  print_list("cpuNsPerPass", cpu_ns, passes);
  print_list("memoryNsPerPass", mem_ns, passes);
  print_list("memoryCpuNsPerPass", mem_cpu_ns, passes);
  qsort(ns, (size_t)passes, sizeof *ns, cmp_u64);
  printf(",\"medianNs\":%llu,\"minNs\":%llu",
         (unsigned long long)(passes % 2 ? ns[passes / 2] : (ns[passes / 2 - 1] + ns[passes / 2]) / 2),
         (unsigned long long)ns[0]);
  print_count("openedPerPass", whole.opened, passes);
  print_count("memoryOpenedPerPass", mem.memory_opened, passes);
  print_count("missingPerPass", whole.missing, passes);
  print_count("bytesPerPass", whole.bytes, passes);
  print_count("dirsListedPerPass", whole.dirs_listed, passes);
  print_count("dirEntriesPerPass", whole.dir_entries, passes);
  print_count("procsReadPerPass", whole.procs_read, passes);
  print_count("pidsPerPass", whole.pids, passes);
  print_count("statusReadPerPass", whole.status_read, passes);
  print_count("statusGonePerPass", whole.status_gone, passes);
  printf(",\"vmRssKb\":%llu,\"absentFields\":%llu,\"checksum\":%llu}\n", (unsigned long long)vm_rss_kb,
         (unsigned long long)absent, (unsigned long long)checksum);
  return 0;
}
