# syntax=docker/dockerfile:1.7
#
# SchoolBench API image. The build context is the REPOSITORY ROOT:
#
#   docker build -f infra/docker/api.Dockerfile -t schoolbench/api:local .
#
# BuildKit reads the ignore file next to this Dockerfile (api.Dockerfile.dockerignore), not a
# .dockerignore at the context root. The image also carries the operator CLI
# (dist/apps/cli/src/main.js), which the compose `migrate` service and the Kubernetes migration
# Job run as `node dist/apps/cli/src/main.js migrate`.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install every dependency, compile with swc to dist/, then drop dev dependencies.
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
 && test -f dist/apps/api/src/main.js \
 && test -f dist/apps/cli/src/main.js \
 && test -f dist/apps/web/src/main.js \
 && test -f dist/apps/web/assets/application.css

RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm prune --omit=dev --no-audit --no-fund

# Fail the build, not the rollout, if the compiled app needs a dev dependency or a missing file:
# load the API module graph and the CLI with production dependencies only. Nothing connects;
RUN node -e "require('./dist/apps/api/src/api-app.js'); require('./dist/apps/web/src/web-app.js'); require('./dist/apps/cli/src/main.js')"

# ---------------------------------------------------------------------------------------------
# runtime: production node_modules and dist/ only, owned by root and run as the unprivileged
# `node` user (uid/gid 1000) of the base image, so the code cannot be modified at runtime.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="schoolbench-api" \
      org.opencontainers.image.description="SchoolBench GraphQL API (NestJS)"

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS=--enable-source-maps

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER 1000:1000
EXPOSE 3000

# /health/ready answers 200 only when PostgreSQL and Redis both answer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "dist/apps/api/src/main.js"]
