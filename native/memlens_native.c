/*
 * The native fast path of agent/fs.ts: reads a batch of kernel pseudo-files in one call.
 *
 *   readFiles(dir: string, names: string[], buf: Uint8Array, out: Int32Array, maxBytes: number) -> number
 *   abi: 2 (agent/kernel/native.ts NATIVE_ABI; bumped when readFiles changes)
 *
 * For each name, in order: open(dir/name, O_RDONLY|O_CLOEXEC|O_NONBLOCK|O_NOFOLLOW), fstat()
 * (anything but a regular file is refused: a FIFO must not block us, a device must not flood
 * us), read() into buf after the previous file until a read returns less than asked (seq_file's
 * end, as in fs.ts) or maxBytes + 1 bytes are in (a longer file is refused), close().
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
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <node_api.h>

#define MAX_NAMES 64
#define ABI 2
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

static napi_value read_files(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc != 5) return throw_type(env, "readFiles(dir, names, buf, out, maxBytes)");

  char path[PATH_MAX];
  size_t dir_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &dir_len) != napi_ok)
    return throw_type(env, "dir must be a string");
  if (memchr(path, '\0', dir_len) != NULL) return throw_type(env, "dir must not contain null bytes");

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
    struct stat st;
    if (fstat(fd, &st) != 0) {
      out[2 * i] = OUT_FSTAT;
      out[2 * i + 1] = -errno;
      close(fd);
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      out[2 * i] = OUT_NOT_REGULAR;
      out[2 * i + 1] = -(int32_t)(st.st_mode & S_IFMT);
      close(fd);
      continue;
    }
    size_t space = cap - used < limit ? cap - used : limit;
    int64_t r = read_all(fd, buf + used, space);
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

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "readFiles", NAPI_AUTO_LENGTH, read_files, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "readFiles", fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "abi", int32(env, ABI)) != napi_ok) return NULL;
  return exports;
}
