# syntax=docker/dockerfile:1
# A multi-stage build that follows the rules: pinned bases, verified downloads, non-root user.
ARG NODE_IMAGE=node:20.11.1-bookworm-slim@sha256:1a8cfcc9a1b0d5ba27f1b7fa4b1c4f6d0e2a1bbf6fdc5d1e4a3f2b1c0d9e8f7a
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/src/.npmrc npm ci --omit=dev
COPY src/ ./src/

FROM ${NODE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini=0.19.0-1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src /app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["node", "/app/src/health.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "/app/src/server.js"]
