# The Overture image: the worker by default; the console, the event gateway, the migrations and the CLI are the same
# image with another command (docker-compose.yml, deploy/helm):
#   worker   node dist/workers/overture-worker.js          (the default CMD)
#   console  node dist/src/apps/console/main.js
#   gateway  node dist/src/apps/events/server.js
#   migrate  node dist/src/stores/postgres/migrate-cli.js
#   CLI      node bin/overture.js --help
#
# Node's current LTS, pinned to the patch; .ci/node-24 runs the fast tier on the same version (keep them equal).
# Three stages: `build` compiles the TypeScript and the workflow bundles (npm run build), `production-dependencies`
# installs the runtime packages only, and the final stage holds those two outputs: no tests, benches, TypeScript
# sources, compilers or dev packages.

# better-sqlite3 downloads a prebuilt binary where there is one; the toolchain is for platforms without one.
FROM node:24.22.3-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY migrations ./migrations
COPY examples ./examples
COPY deploy/temporal/dynamicconfig.yaml ./deploy/temporal/
RUN npm run build

FROM toolchain AS production-dependencies
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24.22.3-bookworm-slim
WORKDIR /app
# The compiled code only (bin/compiled.js: OVERTURE_COMPILED=1 runs dist/ without looking for sources).
ENV NODE_ENV=production OVERTURE_COMPILED=1
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY package.json ./
# /data holds the SQLite files (DIRECTORY_DB_PATH, LEDGER_DB_PATH); a fresh named volume inherits this ownership.
RUN mkdir -p /data && chown node:node /data
ENV OVERTURE_DATA_DIR=/data
# Two glibc malloc arenas instead of 8 per core for the worker's native threads: with 400 runs parked at an approval
# the worker held ~48 MB less RSS, ~96 MB less at its peak while they were approved (docs/performance.md).
ENV MALLOC_ARENA_MAX=2
# The image's own non-root user (uid 1000).
USER node
CMD ["node", "dist/workers/overture-worker.js"]
