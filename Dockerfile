# syntax=docker/dockerfile:1
# The memlens agent on Node.js 24 LTS. Build and publish: docs/deploy.md.
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/memlens:<version> --push .

ARG NODE_IMAGE=node:24-bookworm-slim

# TypeScript compiles to the same JavaScript on every platform, so this stage runs natively
# on the build machine instead of under emulation for each target.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install script here: the native reader is built in the native stage, for the target.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY agent ./agent
RUN npm run build

# The optional native reader (native/memlens_native.c), compiled for the target platform:
# a .node file is machine code, so unlike dist/ it cannot come from the build stage (under
# emulation when cross-building; it is one C file). Only the .node file reaches the runtime.
FROM ${NODE_IMAGE} AS native
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json ./
COPY native/binding.gyp native/build.mjs native/memlens_native.c ./native/
RUN npm run build:native

# Production dependencies for the target platform: what the agent loads at run time and
# nothing else (no TypeScript, no tap, no type packages).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="memlens" \
      org.opencontainers.image.description="Per-pod and per-container memory breakdown from the cgroup hierarchy, as Prometheus metrics" \
      org.opencontainers.image.source="https://github.com/memlens/memlens" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production
# The agent runs with node alone: npm, npx, corepack and yarn would only be more for a
# scanner to flag and for an intruder to use.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
           /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/agent ./dist/agent
# Where dist/agent/native.js looks for it; without it the agent reads through node:fs.
COPY --from=native /src/native/build/Release/memlens_native.node ./native/build/Release/
# No setuid or setgid file (su, mount, passwd, ...), whichever layer it came from: the kmsg
# component runs the container privileged, where no_new_privs is off and the bounding set
# is full, so any such file would be a way to root on the host.
RUN find / -xdev -type f -perm /6000 -exec chmod ug-s {} +
# A uid and gid of memlens's own, not shared with any other workload (not nobody, not
# 1000, the image's "node" user), and without an /etc/passwd entry, which nothing needs.
# The files above stay owned by root, so the agent cannot change its own code.
# manifests/base/daemonset.yaml runs the pod with the same uid; change both together.
USER 64197:64197
EXPOSE 9597
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/dist/agent/main.js"]
CMD ["serve", "--listen", "0.0.0.0:9597"]
