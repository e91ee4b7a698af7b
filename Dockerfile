# SimpleClaw gateway image. Two stages: build with Node 22 and npm, then copy only what
# runs (the node binary, bin/, dist/, production node_modules, the built Control UI) into
# a slim Debian image that runs as the unprivileged `node` user with all state in /app/data.
#
#   docker build -t simpleclaw .        (or: podman build --format docker -t simpleclaw .)
#   docker run -d --name simpleclaw \
#     --read-only --cap-drop=ALL --security-opt no-new-privileges \
#     --tmpfs /tmp -v simpleclaw-data:/app/data \
#     -p 127.0.0.1:18789:18789 simpleclaw
#
# See docs/deploy.md for the token, podman, docker compose and Kubernetes.

# ---- build ---------------------------------------------------------------------------
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script (no native addons), and the
# `node` devDependency would only fetch a second Node 22 that the image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# After the build: production dependencies only, minus what nothing loads at run time
# (type declarations, TypeScript sources, source maps, Markdown docs; licences stay).
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete \
 && mkdir -p /out \
 && cp -R package.json bin dist node_modules /out/ \
 && if [ -d ui/dist ]; then mkdir -p /out/ui && cp -R ui/dist /out/ui/dist; fi

# ---- runtime -------------------------------------------------------------------------
# Plain Debian slim plus the one node binary from the build stage: no npm, npx, corepack,
# yarn or C headers in the image that runs (they are in node:22-bookworm-slim).
FROM debian:bookworm-slim AS runtime
ENV NODE_ENV=production \
    SIMPLECLAW_STATE_DIR=/app/data \
    SIMPLECLAW_GATEWAY_BIND=lan
# The same `node` user (uid/gid 1000) as the official Node images. The code stays owned by
# root, so the gateway cannot modify it even without --read-only. Only the state volume
# belongs to `node` (mode 700, like ~/.simpleclaw).
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && mkdir -p /app/data \
 && chown node:node /app/data \
 && chmod 700 /app/data
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build /out/ /app/
VOLUME ["/app/data"]
USER node
EXPOSE 18789
# /healthz is public and answers {"ok":true}; node's fetch, because the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SIMPLECLAW_GATEWAY_PORT||18789)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# In a container the gateway must listen beyond loopback (SIMPLECLAW_GATEWAY_BIND=lan) to be
# reachable through the published port; it then refuses to start without a token. The token
# comes from SIMPLECLAW_GATEWAY_TOKEN, or is generated into /app/data/simpleclaw.json on first start.
CMD ["node", "bin/simpleclaw.mjs", "gateway"]
