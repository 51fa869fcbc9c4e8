# The Ballast hub: REST API, console, gRPC AgentGateway, MetricsStore on chDB or a ClickHouse
# server. Build from the repository root:
#
#   docker build -f docker/hub.Dockerfile -t ballast-hub .
#
# The entrypoint is the hub program, so arguments are its flags (`--help` lists them) and
# every flag falls back to its BALLAST_* environment variable. Classic Dockerfile syntax
# only (no BuildKit mounts or heredocs), so the legacy builder and docker-compose v1 build it too.

# Exact tag: the project runs on Node 20 (see package.json engines); bump deliberately.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- manifests: every package.json and the lockfile, and nothing else --------------------
# Copying them one by one would break the build whenever a workspace is added; this stage
# changes with any source file, but its output (and so the npm ci layer below) only when a
# manifest does.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /out/ ';' \
 && cp package-lock.json /out/

# ---- build: full install (dev dependencies included) and the console ----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:console

# ---- prod-deps: the same tree without dev dependencies, plus tsx --------------------------
# The hub runs from its TypeScript sources (there is no hub bundle), so it needs tsx at run
# time; tsx is a root devDependency, so its locked copy and its one dependency (esbuild, with
# the platform binary under @esbuild/) are set aside before the prune and put back after it.
FROM build AS prod-deps
RUN mkdir /keep \
 && cp -a node_modules/tsx node_modules/esbuild node_modules/@esbuild /keep/ \
 && npm prune --omit=dev --no-audit --no-fund \
 && cp -a /keep/. node_modules/ \
 && node --import tsx -e 'process.exit(0)'

# ---- runtime ------------------------------------------------------------------------------
# chDB: @ballast/hub depends on `chdb`, whose platform package (@chdb/lib-linux-*-gnu) holds
# the ~546 MB embedded ClickHouse engine, and hub/src/store/clickhouse-connection.ts imports
# `chdb/connection` at start-up, which loads that engine even when BALLAST_STORE=clickhouse.
# So the image keeps it: one image serves both the embedded default (the Kubernetes
# Deployment in deploy/daemonset runs BALLAST_STORE=chdb) and server mode (docker-compose.yml).
# The price is size: the files this stage copies measure ~720 MB (uncompressed, on top of the
# Node base image), ~545 MB of it the engine, so a server-only image would be ~175 MB plus
# the base. That image becomes possible once the hub imports chdb/connection lazily (only
# when store=chdb): it could then drop node_modules/@chdb.
# (glibc is required by the chDB engine: hence bookworm, not alpine.)
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ballast-hub" \
      org.opencontainers.image.description="Ballast hub: spot-fleet optimizer for Kubernetes on AWS (REST API, console, agent gateway, ClickHouse storage)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

# uid/gid 65532, the conventional "nonroot" id the Kubernetes manifests run as.
RUN groupadd --system --gid 65532 ballast \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ballast \
 && mkdir -p /var/lib/ballast-hub \
 && chown 65532:65532 /var/lib/ballast-hub

WORKDIR /app
COPY --from=prod-deps /app/package.json /app/package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/common ./common
COPY --from=prod-deps /app/proto/package.json /app/proto/index.ts /app/proto/grpc-definition.ts ./proto/
COPY --from=prod-deps /app/proto/gen ./proto/gen
COPY --from=prod-deps /app/hub/package.json ./hub/package.json
COPY --from=prod-deps /app/hub/src ./hub/src
COPY --from=prod-deps /app/console/dist ./console/dist

ENV NODE_ENV=production \
    BALLAST_CHDB_PATH=/var/lib/ballast-hub/chdb \
    BALLAST_METADATA_PATH=/var/lib/ballast-hub/metadata

USER 65532:65532
# 8080: REST API, console, /health/*; 9400: gRPC AgentGateway.
EXPOSE 8080 9400
# Readiness (the store answers), on the port PORT / BALLAST_HTTP_PORT set; a port given only as
# --http-port is not seen here. No curl in the image: node's fetch does it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.BALLAST_HTTP_PORT||8080)+'/health/ready').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "/app/hub/src/main.ts"]
