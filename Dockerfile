# SimpleClaw gateway image. Two stages: build with the full toolchain, then copy only
# what runs (bin/, dist/, production node_modules, the built Control UI) into a slim
# Node 22 image that runs as the unprivileged `node` user with all state in /app/data.
#
#   docker build -t simpleclaw .
#   docker run -d --name simpleclaw \
#     --read-only --cap-drop=ALL --security-opt no-new-privileges \
#     --tmpfs /tmp -v simpleclaw-data:/app/data \
#     -p 127.0.0.1:18789:18789 simpleclaw
#
# See docs/deploy.md for the token, docker compose and Kubernetes.

# ---- build ---------------------------------------------------------------------------
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script (no native addons), and the
# `node` devDependency would only fetch a second Node 22 that the image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir -p /out \
 && cp -R package.json bin dist node_modules /out/ \
 && if [ -d ui/dist ]; then mkdir -p /out/ui && cp -R ui/dist /out/ui/dist; fi

# ---- runtime -------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SIMPLECLAW_STATE_DIR=/app/data \
    SIMPLECLAW_GATEWAY_BIND=lan
WORKDIR /app
# The code stays owned by root, so the gateway (running as `node`) cannot modify it even
# without --read-only. Only the state volume belongs to `node` (mode 700, like ~/.simpleclaw).
COPY --from=build /out/ /app/
RUN mkdir -p /app/data \
 && chown node:node /app/data \
 && chmod 700 /app/data
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
