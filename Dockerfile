# syntax=docker/dockerfile:1
#
# The Lifeline gateway. Node 24 runs the TypeScript sources directly (type
# stripping), so there is no build step: the image is the production
# dependencies plus the sources.
#
#   docker build -t lifeline .
#   docker run -v lifeline-data:/data lifeline                  # start --config /data/lifeline.yaml
#   docker run -v lifeline-data:/data lifeline init --help      # any other subcommand

ARG NODE_IMAGE=node:24-slim

# Production dependencies only. classic-level (LevelDB) ships prebuilt binaries
# for linux-x64 and linux-arm64 glibc, so no compiler is needed here.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  LIFELINE_HEALTH_URL=http://127.0.0.1:8080/healthz
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY node ./node
# The `drill` subcommand lives in the simulator; it is small and keeps the CLI whole.
COPY simulator ./simulator

# The gateway runs as the unprivileged `node` user (uid 1000) of the base image
# and keeps everything it owns (identity keys, store, roster copy) under /data.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME /data

# Overlay (libp2p) and local API defaults of the config schema.
EXPOSE 4001 8080

# Slim images have no curl; node's fetch does the same in one line, exiting 0
# on a 2xx answer and 1 otherwise. Point LIFELINE_HEALTH_URL elsewhere when
# api.port or api.host differ.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", \
    "fetch(process.env.LIFELINE_HEALTH_URL).then(r => process.exit(+!r.ok), () => process.exit(1))"]

ENTRYPOINT ["node", "node/cli/bin.ts"]
CMD ["start", "--config", "/data/lifeline.yaml"]
