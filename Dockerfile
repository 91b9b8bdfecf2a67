# idplane: the service on Node 20. Dependencies install from package-lock.json; tsx runs the
# TypeScript sources directly, as `npm start` does.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY tsconfig.json ./
COPY sql ./sql
COPY src ./src
COPY bin ./bin
ENV HOST=0.0.0.0 PORT=8080 NODE_ENV=production
EXPOSE 8080
USER node
CMD ["node", "--import", "tsx", "src/main.ts"]
