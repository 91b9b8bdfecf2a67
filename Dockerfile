# idplane on Node 24 (active LTS): the server runs from the esbuild bundle (dist/main.js); the CLI runs the
# TypeScript sources through tsx (`docker compose exec idplane node bin/idplane.mjs keys list`).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# patches/: a fix to postgres.js that idplane needs behind PgBouncer (src/platform/db/connect.ts).
RUN npm ci --ignore-scripts && npx patch-package --error-on-fail
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/postgres ./node_modules/postgres
COPY sql ./sql
COPY src ./src
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Embedded mode (no DATABASE_URL) keeps its database and master key in /data: a volume the
# unprivileged user owns (the app directory stays root-owned and read-only to it).
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
# ID_PUBLIC_BASE_URL: the address clients use (issuer and reset URLs); override it with -e when that
# is not http://127.0.0.1:8080, else HOST=0.0.0.0 would make issuers http://0.0.0.0:8080/...
ENV HOST=0.0.0.0 PORT=8080 NODE_ENV=production ID_DATA_DIR=/data ID_PUBLIC_BASE_URL=http://127.0.0.1:8080
VOLUME /data
EXPOSE 8080
USER node
# The flags of `npm start` (docs/running.md#memory): a 1 GB old-space limit makes V8 collect when the
# heap is at most 1.6x its live size instead of 4x on a large machine: RSS under load below 200 MB.
CMD ["node", "--enable-source-maps", "--max-old-space-size=1024", "dist/main.js"]
