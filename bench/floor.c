/*
 * The floor memlens is measured against: the least a program can do to collect the same numbers.
 * For every cgroup directory in a list file it opens, reads whole and closes the given memory
 * files, and parses them into a small array of numbers, the way the agent does per cycle.
 *
 *   floor LISTFILE v1|v2 PASSES WARMUP SPEC...
 *
 * LISTFILE: one cgroup directory per line. SPEC: `name:format[:key,key,...]`, built by
 * bench/files.js (the one list of files), format one of
 *   single  one number, or `max` (none)                 memory.current, memory.limit_in_bytes
 *   flat    `key value` lines; only the listed keys kept memory.stat, memory.events
 *   psi     `some|full avg10=.. total=N`; totals kept    memory.pressure
 * Prints one JSON object: wall and CPU nanoseconds per pass (after WARMUP untimed passes), files opened,
 * files missing, bytes read and a checksum of all parsed values (so nothing is optimised away
 * and two runs on the same tree can be compared).
 *
 * Deliberately like the agent's syscall pattern: open(full path), read() into one reused buffer
 * until a read returns less than asked (the end), close(). No openat() on a directory fd, no
 * mmap, no threads.
 *
 * Build: gcc -O2 -o bench/out/floor bench/floor.c
 */
#define _GNU_SOURCE
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

static char buf[64 * 1024];
static char path[8192];
static uint64_t opened, missing, bytes;

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

/* Reads one whole file into buf; returns its length, or -1 when it does not exist. */
static ssize_t read_file(const char *file) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    perror(file);
    exit(1);
  }
  opened++;
  size_t len = 0;
  for (;;) {
    if (len == sizeof buf) die("file larger than the 64 KiB buffer");
    ssize_t n = read(fd, buf + len, sizeof buf - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror(file);
      exit(1);
    }
    len += (size_t)n;
    /* A read shorter than asked is the end (seq_file fills the buffer unless it has no more),
       so a small file costs open, one read, close: the same pattern as the agent. */
    if ((size_t)n < sizeof buf - (len - (size_t)n)) break;
  }
  close(fd);
  bytes += len;
  return (ssize_t)len;
}

static void pass(char **dirs, const size_t *dir_lens, size_t ndirs, struct spec *specs, int nspecs, int nfields,
                 uint64_t *values) {
  for (size_t d = 0; d < ndirs; d++) {
    uint64_t *row = values + d * (size_t)nfields;
    for (int f = 0; f < nfields; f++) row[f] = ABSENT;
    memcpy(path, dirs[d], dir_lens[d]);
    path[dir_lens[d]] = '/';
    for (int i = 0; i < nspecs; i++) {
      const struct spec *s = &specs[i];
      memcpy(path + dir_lens[d] + 1, s->name, s->name_len + 1);
      ssize_t len = read_file(path);
      if (len < 0) {
        missing++;
        continue;
      }
      uint64_t *out = row + s->first_field;
      switch (s->format) {
        case SINGLE: out[0] = parse_u64(buf, buf + len); break;
        case FLAT: parse_flat(s, buf, buf + len, out); break;
        case PSI: parse_psi(buf, buf + len, out); break;
      }
    }
  }
}

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: floor LISTFILE v1|v2 PASSES WARMUP name:format[:keys]...\n");
    return 2;
  }
  const char *version = argv[2];
  if (strcmp(version, "v1") != 0 && strcmp(version, "v2") != 0) die("version must be v1 or v2");
  int passes = atoi(argv[3]), warmup = atoi(argv[4]);
  if (passes < 1 || warmup < 0) die("PASSES >= 1, WARMUP >= 0");

  int nspecs = argc - 5, nfields = 0;
  struct spec *specs = calloc((size_t)nspecs, sizeof *specs);
  if (specs == NULL) die("out of memory");
  for (int i = 0; i < nspecs; i++) {
    int n = 0;
    parse_spec(argv[5 + i], &specs[i], nfields, &n);
    nfields += n;
  }

  FILE *list = fopen(argv[1], "r");
  if (list == NULL) {
    perror(argv[1]);
    return 1;
  }
  size_t cap = 1024, ndirs = 0;
  char **dirs = malloc(cap * sizeof *dirs);
  size_t *dir_lens = malloc(cap * sizeof *dir_lens);
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t n;
  while ((n = getline(&line, &line_cap, list)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '/')) line[--n] = '\0';
    if (n == 0) continue;
    if ((size_t)n + 256 > sizeof path) die("directory path too long");
    if (ndirs == cap) {
      cap *= 2;
      dirs = realloc(dirs, cap * sizeof *dirs);
      dir_lens = realloc(dir_lens, cap * sizeof *dir_lens);
      if (dirs == NULL || dir_lens == NULL) die("out of memory");
    }
    dirs[ndirs] = strdup(line);
    dir_lens[ndirs] = (size_t)n;
    ndirs++;
  }
  fclose(list);
  free(line);
  if (ndirs == 0) die("empty list");

  uint64_t *values = malloc(ndirs * (size_t)nfields * sizeof *values);
  uint64_t *ns = malloc((size_t)passes * sizeof *ns);
  uint64_t *cpu_ns = malloc((size_t)passes * sizeof *cpu_ns);
  if (values == NULL || ns == NULL || cpu_ns == NULL) die("out of memory");

  for (int i = 0; i < warmup; i++) pass(dirs, dir_lens, ndirs, specs, nspecs, nfields, values);
  opened = missing = bytes = 0;
  for (int i = 0; i < passes; i++) {
    uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    pass(dirs, dir_lens, ndirs, specs, nspecs, nfields, values);
    ns[i] = now_ns(CLOCK_MONOTONIC) - t0;
    cpu_ns[i] = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
  }

  uint64_t checksum = 0, absent = 0;
  for (size_t i = 0; i < ndirs * (size_t)nfields; i++) {
    if (values[i] == ABSENT) absent++;
    else if (values[i] != UNLIMITED) checksum += values[i];
  }

  printf("{\"version\":\"%s\",\"cgroups\":%zu,\"files\":%d,\"fields\":%d,\"passes\":%d,\"warmup\":%d,\"nsPerPass\":[",
         version, ndirs, nspecs, nfields, passes, warmup);
  for (int i = 0; i < passes; i++) printf("%s%llu", i ? "," : "", (unsigned long long)ns[i]);
  printf("],\"cpuNsPerPass\":[");
  for (int i = 0; i < passes; i++) printf("%s%llu", i ? "," : "", (unsigned long long)cpu_ns[i]);
  qsort(ns, (size_t)passes, sizeof *ns, cmp_u64);
  printf("],\"medianNs\":%llu,\"minNs\":%llu,\"openedPerPass\":%llu,\"missingPerPass\":%llu,\"bytesPerPass\":%llu,"
         "\"absentFields\":%llu,\"checksum\":%llu}\n",
         (unsigned long long)(passes % 2 ? ns[passes / 2] : (ns[passes / 2 - 1] + ns[passes / 2]) / 2),
         (unsigned long long)ns[0], (unsigned long long)(opened / (uint64_t)passes),
         (unsigned long long)(missing / (uint64_t)passes), (unsigned long long)(bytes / (uint64_t)passes),
         (unsigned long long)absent, (unsigned long long)checksum);
  return 0;
}
