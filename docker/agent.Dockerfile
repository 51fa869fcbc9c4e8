# The Ballast node agent (the DaemonSet in deploy/daemonset). Build from the repository root:
#
#   docker build -f docker/agent.Dockerfile -t ballast-agent .
#
# The agent ships as one esbuild bundle, agent/dist/ballast-agent.mjs (agent/scripts/build.ts),
# with nothing external: the runtime stage holds Node and the bundle, no node_modules at all,
# so no dev dependency can reach it. The entrypoint is the agent program, so arguments are its
# flags (the DaemonSet passes --cgroup-root and friends). `node` stays on PATH: the
# DaemonSet's init container runs `node -e` from this image.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- manifests: every package.json and the lockfile (see docker/hub.Dockerfile) -----------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /out/ ';' \
 && cp package-lock.json /out/

# ---- build: full install (esbuild is a dev dependency) and the bundle ---------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# agent/scripts/build.ts is what `npm run build:agent` runs; the root package.json has no such
# script yet, so the build calls it directly (switch to `npm run build:agent` once it exists).
# Source maps stay out of the image (the bundle is minified with names kept, so stack traces
# still name classes and functions); the LEGAL file goes in with the bundle.
RUN node --import tsx agent/scripts/build.ts \
 && find agent/dist -name '*.map' -delete \
 && node agent/dist/ballast-agent.mjs --help >/dev/null

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ballast-agent" \
      org.opencontainers.image.description="Ballast node agent: node metrics, spot interruption and rebalance monitoring, drains and switches its own node" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

RUN groupadd --system --gid 65532 ballast \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ballast

WORKDIR /app
COPY --from=build /app/agent/dist ./agent/dist

ENV NODE_ENV=production
USER 65532:65532
# The status port (/healthz, /metrics): 127.0.0.1:9465 unless BALLAST_STATUS_HOST/PORT say
# otherwise. The Kubernetes probes use it; no HEALTHCHECK here, since where it listens is
# deployment-specific (docker-compose.yml declares one for its agents).
EXPOSE 9465
# V8 flags measured for the agent (AGENT_NODE_FLAGS in agent/scripts/build.ts, bench/agent.ts).
ENTRYPOINT ["node", "--max-semi-space-size=1", "--max-old-space-size=48", "--single-threaded", "--v8-pool-size=1", "/app/agent/dist/ballast-agent.mjs"]
