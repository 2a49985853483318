# syntax=docker/dockerfile:1
# WA Support Gateway. Stages: build (all dependencies, the server bundle and the web console),
# simulator (the genfity-wa simulator for compose and demos), runtime (production dependencies only).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies only: the build (`prepare`) needs the sources, copied next.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# `npm run sim` runs TypeScript through tsx, a development dependency: it stays on the build stage.
FROM build AS simulator
ENV SIM_HOST=0.0.0.0 SIM_PORT=8080
USER node
EXPOSE 8080
CMD ["npm", "run", "sim"]

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:20-slim AS runtime
ENV NODE_ENV=production PORT=8070 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The embedded store (used when no DATABASE_URL/DB_* is set) and its generated key live in DATA_DIR.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8070
# Liveness only (/health is cheap); orchestrators should also probe /ready before sending traffic.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8070) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: it drains requests and flushes counters (SHUTDOWN_TIMEOUT_MS).
CMD ["node", "dist/src/main.js"]
