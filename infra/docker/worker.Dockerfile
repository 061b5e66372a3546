# syntax=docker/dockerfile:1.7
#
# SchoolBench worker image (BullMQ processors in a NestJS application context; no HTTP port).
# The build context is the REPOSITORY ROOT:
#
#   docker build -f infra/docker/worker.Dockerfile -t schoolbench/worker:local .
#
# BuildKit reads the ignore file next to this Dockerfile (worker.Dockerfile.dockerignore).
# Scale by running more containers: every worker takes jobs from the same Redis queues.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install every dependency, compile with swc to dist/, then drop dev dependencies.
# (Identical to the API image's build stage, so BuildKit shares its cache between the two.)
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true

COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund

COPY .swcrc ./
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench

# `npm run build` is swc with --copy-files, so JSON the code imports (the measure catalogue)
# lands beside the compiled files; the require() check below fails the build if it does not.
RUN npm run build \
 && test -f dist/apps/worker/src/main.js

RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm prune --omit=dev --no-audit --no-fund

# Fail the build if the worker needs a dev dependency or a missing file (nothing connects).
RUN node -e "require('./dist/apps/worker/src/worker.module.js')"

# ---------------------------------------------------------------------------------------------
# runtime: production node_modules and dist/ only, run as the unprivileged `node` user.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="schoolbench-worker" \
      org.opencontainers.image.description="SchoolBench BullMQ worker (NestJS application context)"

ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER 1000:1000

# The worker serves no HTTP, so there is nothing to probe: it exits non-zero when it cannot
# reach PostgreSQL or Redis at start, and the orchestrator restarts it.
HEALTHCHECK NONE

# Give in-flight jobs time to finish: Nest's shutdown hooks close the BullMQ workers on SIGTERM.
STOPSIGNAL SIGTERM

CMD ["node", "dist/apps/worker/src/main.js"]
