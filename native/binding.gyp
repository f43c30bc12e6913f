# The native fast path of agent/fs.ts (memlens_native.c). Built by `npm run build:native`
# (native/build.mjs), which npm ci runs as the package's install script; optional.
{
  "targets": [
    {
      "target_name": "memlens_native",
      "sources": ["memlens_native.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
