# syntax=docker/dockerfile:1
# plumb's container image. It builds with exactly what CI runs (scripts/install-deps.sh and the
# `default` CMake preset of CMakePresets.json), so the image cannot drift from the tested build;
# the runtime stage installs only the shared libraries from `install-deps.sh --runtime-only`.
#   docker build -t plumb:dev .
#   docker run --rm plumb:dev --help
ARG DEBIAN_IMAGE=debian:12
ARG RUNTIME_IMAGE=debian:12-slim

FROM ${DEBIAN_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer is reused until install-deps.sh changes.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh --no-node && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset default \
 && cmake --build --preset default --target plumb \
 && mkdir -p /out \
 && objcopy --strip-debug build/default/reconciler/cli/plumb /out/plumb \
 && /out/plumb --version

FROM ${RUNTIME_IMAGE} AS runtime
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh --runtime-only && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
# A fixed non-root uid/gid (the Helm chart's runAsUser/fsGroup is 10001).
RUN groupadd --system --gid 10001 plumb \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/plumb --create-home --shell /usr/sbin/nologin plumb \
 && install -d -o plumb -g plumb -m 0750 /var/cache/plumb
COPY --from=build /out/plumb /usr/local/bin/plumb
# The manifest schemas are embedded in the binary; this copy is for editors and CI tools.
COPY schemas/*.schema.json /usr/share/plumb/schemas/
USER 10001:10001
WORKDIR /var/lib/plumb
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/plumb"]
CMD ["run"]
