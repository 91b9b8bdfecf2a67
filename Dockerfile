# idplane on Node 20: the server runs from the esbuild bundle (dist/main.js); the CLI runs the
# TypeScript sources through tsx (`docker compose exec idplane node bin/idplane.mjs keys list`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY sql ./sql
COPY src ./src
COPY bin ./bin
COPY --from=build /app/dist ./dist
ENV HOST=0.0.0.0 PORT=8080 NODE_ENV=production
EXPOSE 8080
USER node
CMD ["node", "--enable-source-maps", "dist/main.js"]
