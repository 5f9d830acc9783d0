# syntax=docker/dockerfile:1.7
#
# One image per workload, all from this file: pick the workload with the WORKSPACE build argument
# (services/<name> or bff) and the stage with --target:
#
#   docker build --build-arg WORKSPACE=services/identity --target runtime -t shopmesh/identity .
#
# - runtime: what runs in the cluster. Distroless Node.js 24 (no shell, no package manager),
#   production dependencies of that one workspace only, files owned by root and read-only to the
#   process, numeric non-root user 65532, tini as PID 1 so SIGTERM reaches Node (whose handler
#   drains in-flight calls) and zombies are reaped. Nothing is written outside /tmp, so it runs
#   with readOnlyRootFilesystem. ~45 MB of dependencies on a ~130 MB base.
# - dev: the same application on node:24-bookworm-slim, run with `node --watch`, files owned by
#   the process so skaffold's file sync (which needs tar) can replace sources in place.
# - debug: dev with a plain `node` entry point, for `skaffold debug` (it adds --inspect).
#
# TypeScript runs as is (Node 24 strips types), so there is no build step: only `npm ci`.
# No configuration or secret is baked in: everything comes from the environment at run time.

ARG NODE_MAJOR=24
ARG WORKSPACE=services/identity

# ---- manifests: every package.json and the lock, so `npm ci` below is cached until they change
FROM node:${NODE_MAJOR}-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /out \
  && cp package-lock.json /out/ \
  && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /out/ \;

# ---- deps: production dependencies of one workspace (and of the workspaces it uses)
FROM node:${NODE_MAJOR}-bookworm-slim AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    npm_config_update_notifier=false
COPY --from=manifests /out/ ./
ARG WORKSPACE
# --ignore-scripts: argon2 (identity) ships prebuilt binaries, no install script is needed.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace="${WORKSPACE}"

# ---- app: the workload's sources and the kit's next to its dependencies
FROM deps AS app
ARG WORKSPACE
COPY packages/kit/ packages/kit/
COPY packages/contracts/ packages/contracts/
COPY ${WORKSPACE}/ ${WORKSPACE}/
# One entry point whatever the workload: /app/main.ts. Node follows the link, so main.ts runs
# from its real place, next to its package.json ("type": "module") and its relative imports.
RUN ln -s "${WORKSPACE}/src/main.ts" /app/main.ts \
  && test -f "${WORKSPACE}/src/main.ts"

# ---- dev: skaffold dev (file sync + node --watch)
FROM node:${NODE_MAJOR}-bookworm-slim AS dev
COPY --from=deps /usr/bin/tini /usr/bin/tini
WORKDIR /app
ENV NODE_ENV=production
COPY --from=app --chown=65532:65532 /app /app
USER 65532:65532
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--watch"]
CMD ["/app/main.ts"]

# ---- debug: skaffold debug (the inspector needs a plain `node`, without the watcher's restarts)
FROM dev AS debug
ENTRYPOINT ["/usr/bin/tini", "--", "node"]

# ---- runtime: the default target, last so a plain `docker build` produces it
FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
COPY --from=deps /usr/bin/tini-static /tini
WORKDIR /app
ENV NODE_ENV=production
COPY --from=app /app /app
USER 65532:65532
ENTRYPOINT ["/tini", "--", "/nodejs/bin/node"]
CMD ["/app/main.ts"]
