# The Overture worker image, built by docker-compose.yml (`docker compose up -d --build`).
#
# Stage 1 installs the locked dependencies. better-sqlite3 normally downloads a prebuilt binary;
# the compiler toolchain is only there for platforms without one, and stays out of the final image.
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

# Stage 2: the runtime image.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# /data holds the SQLite files (DIRECTORY_DB_PATH, LEDGER_DB_PATH); a fresh named volume inherits this ownership.
RUN mkdir -p /data && chown node:node /data
ENV OVERTURE_DATA_DIR=/data
# Two glibc malloc arenas instead of 8 per core for the worker's native threads: with 400 runs parked at an approval
# the worker held ~48 MB less RSS, ~96 MB less at its peak while they were approved (README "Performance").
ENV MALLOC_ARENA_MAX=2
USER node
CMD ["npm", "run", "worker"]
