# syntax=docker/dockerfile:1
# ingest-service image: the gRPC server that records articles and their
# extracted facts in the event log (RocksDB) and streams that log.
#
# Build from the repository root (the context must be the whole tree):
#   docker build -f deploy/docker/ingest-service.Dockerfile \
#     -t relations-monitor/ingest-service:dev .
# The build stage runs deploy/docker/build-in-ci.sh, which CI also runs
# without docker; the runtime stage is debian:12-slim with only the shared
# libraries of runtime-packages.txt, the binary, data/ and the ISO 3166 JSON.

FROM debian:12 AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# Toolchain and -dev packages first: this layer is rebuilt only when the
# install script changes, not on every source edit.
COPY scripts/setup.sh scripts/setup.sh
COPY deploy/docker/build-in-ci.sh deploy/docker/runtime-packages.txt deploy/docker/
RUN deploy/docker/build-in-ci.sh setup \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# ccache (enabled by CMakeLists.txt) keeps objects across image builds.
RUN --mount=type=cache,target=/root/.cache/ccache,sharing=locked \
    deploy/docker/build-in-ci.sh build ingest-service \
    && deploy/docker/build-in-ci.sh stage ingest-service \
    && deploy/docker/build-in-ci.sh verify ingest-service

FROM debian:12-slim AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY deploy/docker/runtime-packages.txt /tmp/runtime-packages.txt
# Runtime libraries only; then the service's user (uid/gid 10001, no home,
# no login shell) and its data directory.
RUN apt-get update \
    && sed -e 's/#.*//' /tmp/runtime-packages.txt \
      | xargs apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
    && groupadd --gid 10001 relmon \
    && useradd --uid 10001 --gid 10001 --no-create-home --no-log-init \
      --home-dir /nonexistent --shell /usr/sbin/nologin relmon \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/relations
# Binary (root-owned, not writable by the service), data/ and ISO JSON.
COPY --from=build /src/build/image-rootfs/ingest-service/ /
USER 10001:10001
EXPOSE 50051
# Exec form: the service is PID 1, gets SIGTERM itself and drains; no shell
# is involved at run time. Kubernetes' args replace CMD.
ENTRYPOINT ["/usr/local/bin/ingest-service"]
CMD ["--listen=0.0.0.0:50051", \
     "--data_dir=/var/lib/relations/ingest", \
     "--resources_dir=/usr/share/relations-monitor/data"]
