# rest-mcp as a shared Streamable HTTP server.
#
#   docker build -t rest-mcp .
#   docker run --rm -p 8080:8080 -v "$PWD/openapi.yaml:/spec/openapi.yaml:ro" \
#     -e BASE_URL=https://api.example.com -e ALLOWED_HOSTS=localhost rest-mcp
#
# The spec is read from OPENAPI_SPEC (default /spec/openapi.yaml: mount a file or a
# directory at /spec), or give a URL; every other option has its environment variable
# too (see the README), or mount a rest-mcp.toml into /spec (or set CONFIG_FILE). Any arguments after
# the image name replace the default command, e.g. `... rest-mcp list`.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p rest-mcp --bin rest-mcp \
    && install -D -m 0755 target/release/rest-mcp /out/rest-mcp

FROM debian:bookworm-slim
# TLS roots for https upstreams and spec URLs (reqwest uses rustls with the platform's
# certificate store).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin rest-mcp
COPY --from=build /out/rest-mcp /usr/local/bin/rest-mcp
# The working directory is the spec's: a rest-mcp.toml mounted beside it is read as the
# config file, and relative paths in it resolve there.
WORKDIR /spec
USER 10001:10001
ENV OPENAPI_SPEC=/spec/openapi.yaml \
    MCP_TRANSPORT=http \
    LISTEN=0.0.0.0:8080 \
    LOG_LEVEL=info
EXPOSE 8080
ENTRYPOINT ["rest-mcp"]
CMD ["serve"]
