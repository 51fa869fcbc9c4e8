# The fleet simulator (sim/src/main.ts: fake EC2, kube-apiservers, one IMDS per instance, spot
# market). A demo and test tool, not a production component. Build from the repository root:
#
#   docker build -f docker/sim.Dockerfile -t ballast-sim .
#
# Runs from its TypeScript sources with tsx (there is no sim bundle). The entrypoint is the
# simulator, so arguments are its flags (`--help` lists them).

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- manifests: every package.json and the lockfile (see docker/hub.Dockerfile) -----------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /out/ ';' \
 && cp package-lock.json /out/

# ---- prod-deps: production dependencies plus tsx (see docker/hub.Dockerfile) --------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund \
 && mkdir /keep \
 && cp -a node_modules/tsx node_modules/esbuild node_modules/@esbuild /keep/ \
 && npm prune --omit=dev --no-audit --no-fund \
 && cp -a /keep/. node_modules/ \
 && node --import tsx -e 'process.exit(0)'

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ballast-sim" \
      org.opencontainers.image.description="Ballast fleet simulator: fake EC2, Kubernetes API servers, IMDS and spot market for demos and tests" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

RUN groupadd --system --gid 65532 ballast \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ballast

WORKDIR /app
COPY --from=prod-deps /app/package.json /app/package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY common ./common
COPY proto/package.json proto/index.ts proto/grpc-definition.ts ./proto/
COPY proto/gen ./proto/gen
# The agent's sources too: sim/src/agents (SimAgentFleet, exported by @ballast/sim) runs real
# agents in-process for simulated nodes.
COPY agent/package.json ./agent/package.json
COPY agent/src ./agent/src
COPY sim/package.json ./sim/package.json
COPY sim/src ./sim/src

ENV NODE_ENV=production
USER 65532:65532
# No EXPOSE: every endpoint (EC2, one kube-apiserver per cluster, one IMDS per instance) takes
# a free port, and SIM_CONFIG has no flag to fix them; --endpoints-file writes them as JSON.
ENTRYPOINT ["node", "--import", "tsx", "/app/sim/src/main.ts"]
