/*
 * The native fast path of agent/fs.ts: reads a batch of kernel pseudo-files in one call.
 *
 *   readFiles(dir: string, names: string[], buf: Uint8Array, out: Int32Array, maxBytes: number) -> number
 *   listDirs(dir: string) -> string[] | number
 *   abi: 3 (agent/kernel/native.ts NATIVE_ABI; bumped when the interface changes)
 *
 * For each name, in order: open(dir/name, O_RDONLY|O_CLOEXEC|O_NONBLOCK|O_NOFOLLOW), read()
 * into buf after the previous file until a read returns less than asked (seq_file's end, as in
 * fs.ts) or maxBytes + 1 bytes are in (a longer file is refused), close(). Non-blocking, so a
 * FIFO cannot block open() or read(); capped, so a device cannot flood us. What a cgroup or
 * proc file never does (fail to read, read as nothing, fill the buffer) is checked with
 * fstat() before it is believed, and anything but a regular file is refused: one syscall on
 * the odd file instead of one on every file.
 * out[2i], out[2i+1] are file i's offset and length in buf; on failure out[2i] is the failed
 * step (0 open, 1 read, 2 fstat: out[2i+1] = -errno; 3 not a regular file: -(st_mode & S_IFMT);
 * 4 longer than maxBytes: -EFBIG), and the batch goes on with the next file (a missing optional
 * file is a normal state; the caller decides). Returns the number of files done: less than
 * names.length when file [return value] did not fit in the rest of buf, and the caller retries
 * the batch with a bigger buffer.
 *
 * Why: Node pays ~1 us of fixed cost per fs binding call, three per file; this is one call per
 * cgroup. Plain C against Node-API (ABI-stable: one build loads in Node 20 and Node 24).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <node_api.h>

#define MAX_NAMES 64
#define ABI 3
#define OUT_OPEN 0
#define OUT_READ 1
#define OUT_FSTAT 2
#define OUT_NOT_REGULAR 3
#define OUT_TOO_LARGE 4

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value int32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

/* Reads one open file into [buf, buf + room) until a read returns less than asked or room is
 * full; returns the bytes read (room itself when full) or -errno. */
static int64_t read_all(int fd, uint8_t *buf, size_t room) {
  size_t len = 0;
  while (len < room) {
    size_t asked = room - len;
    ssize_t n = read(fd, buf + len, asked);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -(int64_t)errno;
    }
    len += (size_t)n;
    if ((size_t)n < asked) break;
  }
  return (int64_t)len;
}

/* Copies the string argument dir into path; false (a TypeError thrown) when it is not a string
 * or holds a NUL byte. A dir that does not fit is cut to size - 1 bytes: callers compare *len
 * with size and answer ENAMETOOLONG, as the kernel would. */
static bool dir_arg(napi_env env, napi_value dir, char *path, size_t size, size_t *len) {
  if (napi_get_value_string_utf8(env, dir, path, size, len) != napi_ok) {
    throw_type(env, "dir must be a string");
    return false;
  }
  if (memchr(path, '\0', *len) != NULL) {
    throw_type(env, "dir must not contain null bytes");
    return false;
  }
  return true;
}

/* Sets o[0], o[1] and returns 1 when fd is not a regular file (or fstat fails); else 0. */
static int refuse_unless_regular(int fd, int32_t *o) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    o[0] = OUT_FSTAT;
    o[1] = -errno;
    return 1;
  }
  if (!S_ISREG(st.st_mode)) {
    o[0] = OUT_NOT_REGULAR;
    o[1] = -(int32_t)(st.st_mode & S_IFMT);
    return 1;
  }
  return 0;
}

static napi_value read_files(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc != 5) return throw_type(env, "readFiles(dir, names, buf, out, maxBytes)");

  char path[PATH_MAX];
  size_t dir_len = 0;
  if (!dir_arg(env, argv[0], path, sizeof path, &dir_len)) return NULL;

  bool is_array = false;
  uint32_t n = 0;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array || napi_get_array_length(env, argv[1], &n) != napi_ok || n > MAX_NAMES)
    return throw_type(env, "names must be an array of at most 64 strings");

  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0, byte_offset = 0;
  void *data = NULL;
  napi_value ab;
  napi_is_typedarray(env, argv[2], &is_typed);
  if (!is_typed || napi_get_typedarray_info(env, argv[2], &type, &length, &data, &ab, &byte_offset) != napi_ok ||
      type != napi_uint8_array)
    return throw_type(env, "buf must be a Buffer");
  uint8_t *buf = data;
  size_t cap = length;

  napi_is_typedarray(env, argv[3], &is_typed);
  size_t out_len = 0;
  void *out_data = NULL;
  if (!is_typed || napi_get_typedarray_info(env, argv[3], &type, &out_len, &out_data, &ab, &byte_offset) != napi_ok ||
      type != napi_int32_array || out_len < 2 * (size_t)n)
    return throw_type(env, "out must be an Int32Array of 2 * names.length");
  int32_t *out = out_data;
  if (cap > INT32_MAX) cap = INT32_MAX;

  uint32_t max_bytes = 0;
  if (napi_get_value_uint32(env, argv[4], &max_bytes) != napi_ok || max_bytes == 0 || max_bytes >= (1u << 30))
    return throw_type(env, "maxBytes must be an integer in [1, 2^30)");
  /* One byte more than the cap tells a file over it from one exactly that long. */
  size_t limit = (size_t)max_bytes + 1;

  /* path = dir + '/' + name; a path too long for the kernel gets the kernel's errno. */
  int dir_fits = dir_len + 2 < sizeof path;
  if (dir_fits) path[dir_len] = '/';
  size_t used = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value name;
    size_t name_len = 0;
    if (napi_get_element(env, argv[1], i, &name) != napi_ok) return NULL;
    char *tail = path + dir_len + 1;
    size_t room = dir_fits ? sizeof path - dir_len - 1 : 0;
    napi_valuetype vt;
    napi_typeof(env, name, &vt);
    if (vt != napi_string) return throw_type(env, "names must be an array of at most 64 strings");
    if (room > 0) napi_get_value_string_utf8(env, name, tail, room, &name_len);
    out[2 * i] = OUT_OPEN;
    if (room == 0 || name_len + 1 >= room) {
      out[2 * i + 1] = -ENAMETOOLONG;
      continue;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
      out[2 * i + 1] = -errno;
      continue;
    }
    size_t space = cap - used < limit ? cap - used : limit;
    int64_t r = read_all(fd, buf + used, space);
    /* Failed, empty or filling the space: what a FIFO, a directory or a device does. */
    if ((r <= 0 || r >= (int64_t)space) && refuse_unless_regular(fd, out + 2 * i)) {
      close(fd);
      continue;
    }
    close(fd); /* close of a pseudo-file does not fail in a way that would change what was read */
    if (r == (int64_t)limit) {
      out[2 * i] = OUT_TOO_LARGE;
      out[2 * i + 1] = -EFBIG;
      continue;
    }
    if (r == (int64_t)space) return int32(env, (int32_t)i);
    if (r < 0) {
      out[2 * i] = OUT_READ;
      out[2 * i + 1] = (int32_t)r;
      continue;
    }
    out[2 * i] = (int32_t)used;
    out[2 * i + 1] = (int32_t)r;
    used += (size_t)r;
  }
  return int32(env, (int32_t)n);
}

/*
 * listDirs(dir): the names of dir's subdirectories sorted by strcmp (as libuv's scandir sorts
 * what readdirSync returns), or -errno when dir cannot be opened or read. A symbolic link is
 * not a directory (never followed: a link loop cannot trap discovery); where the file system
 * does not say (DT_UNKNOWN), fstatat() without following links does. Discovery lists a
 * directory only for its subdirectories, and a cgroup directory holds dozens of control files:
 * this makes strings for the few that matter instead of an object per entry.
 */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

static napi_value list_dirs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc != 1) return throw_type(env, "listDirs(dir)");
  char path[PATH_MAX];
  size_t dir_len = 0;
  if (!dir_arg(env, argv[0], path, sizeof path, &dir_len)) return NULL;
  if (dir_len + 1 >= sizeof path) return int32(env, -ENAMETOOLONG);
  /* opendir: open(O_DIRECTORY|O_NONBLOCK|O_CLOEXEC), without fdopendir's fstat and fcntl. */
  DIR *d = opendir(path);
  if (d == NULL) return int32(env, -errno);
  char **names = NULL;
  size_t n = 0, cap = 0;
  int err = 0;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (e == NULL) {
      err = errno;
      break;
    }
    if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0'))) continue;
    int is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (!is_dir) continue;
    if (n == cap) {
      size_t bigger = cap == 0 ? 16 : cap * 2;
      char **grown = realloc(names, bigger * sizeof *names);
      if (grown == NULL) {
        err = ENOMEM;
        break;
      }
      names = grown;
      cap = bigger;
    }
    if ((names[n] = strdup(e->d_name)) == NULL) {
      err = ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (err != 0) {
    free_names(names, n);
    return int32(env, -err);
  }
  if (n > 1) qsort(names, n, sizeof *names, cmp_names);
  napi_value result, name;
  int ok = napi_create_array_with_length(env, n, &result) == napi_ok;
  for (size_t i = 0; ok && i < n; i++)
    ok = napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &name) == napi_ok && napi_set_element(env, result, (uint32_t)i, name) == napi_ok;
  free_names(names, n);
  return ok ? result : NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "readFiles", NAPI_AUTO_LENGTH, read_files, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "readFiles", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "listDirs", NAPI_AUTO_LENGTH, list_dirs, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "listDirs", fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "abi", int32(env, ABI)) != napi_ok) return NULL;
  return exports;
}
