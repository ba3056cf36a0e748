# syntax=docker/dockerfile:1
#
# bedrock-vision-graphql as a container: one stateless API process per container. Run several behind a load
# balancer on one PostgreSQL (compose.yaml shows the whole set-up; README "Deployment").
#
#   docker build -t bedrock-vision-graphql .
#   docker run --init -p 4000:4000 -e DATABASE_URL=postgresql://… -e AWS_REGION=… bedrock-vision-graphql
#
# The runtime stage is exactly what test/deploy/packedPackage.test.ts checks without Docker: the package made by
# `npm pack`, installed with production dependencies only, started from dist/.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: every dependency, the generated Prisma client and GraphQL types, tsc, then `npm pack`.
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied, and Prisma's postinstall would try to
# download engines that `prisma generate` does not need (see README "Development").
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm pack --ignore-scripts --pack-destination /tmp \
  && mkdir /package \
  && tar -xzf /tmp/bedrock-vision-graphql-*.tgz -C /package --strip-components=1 \
  && cp package-lock.json /package/

# 2. Production dependencies only, at the versions of the lockfile.
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY --from=build /package/package.json /package/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: the packed package and its production dependencies, owned by root and run as `node`, so the
# process cannot change its own code.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /package ./
# The embedded database's default folder, for trying the image without PostgreSQL (one container only:
# PGlite is one process per folder; a second is refused). Deployments set DATABASE_URL.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
# /readyz answers 200 once the database answers, 503 otherwise. Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself, not `npm start`: npm does not pass SIGTERM on, so the app would be killed instead of draining.
# The app handles SIGTERM and SIGINT (finishes requests in flight, closes the database). As PID 1 it reaps no
# orphans, which it never makes; `docker run --init` (compose: `init: true`) adds tini in front anyway.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
