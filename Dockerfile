# syntax=docker/dockerfile:1
# Rekey: a multi-stage build. The first stage compiles (better-sqlite3 builds from source with
# node-gyp, the console with Vite); the second carries only what `rekey serve` runs, as the
# unprivileged `node` user, and works with a read-only root filesystem: SQLite data (and its
# generated master key, if none is given) live on the /data volume, PostgreSQL needs no disk.

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
# --ignore-scripts: nothing runs before the sources are here; better-sqlite3 is built just below.
RUN npm ci --ignore-scripts --legacy-peer-deps && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev --legacy-peer-deps

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    REKEY_HOST=0.0.0.0 \
    REKEY_PORT=8080 \
    REKEY_DATABASE_URL=/data/rekey.db
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Ready = the store answers and this node's cache is confirmed fresh (SPEC §9, §13).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.REKEY_PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop accepting, finish requests in flight (≤ 10 s), hand back outbox leases, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/rekey.js"]
CMD ["serve"]
