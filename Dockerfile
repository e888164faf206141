# dvc-portal production image: build in a Rust image, run as a non-root user in a slim one.
# The bundled SQLite/libpq and vendored OpenSSL need only a C toolchain, perl and make.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY templates templates
COPY static static
RUN cargo build --release --locked && strip target/release/dvc-portal

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /srv/dvc --create-home dvc
WORKDIR /srv/dvc
COPY --from=build /src/target/release/dvc-portal /usr/local/bin/dvc-portal
COPY refdata refdata
USER dvc
ENV DATABASE_URL=postgres://dvc@db:5432/dvc \
    BIND=0.0.0.0:8080 \
    DVC_DATA_DIR=/srv/dvc/data \
    DVC_REFDATA_DIR=/srv/dvc/refdata \
    RUST_LOG=info
VOLUME ["/srv/dvc/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["dvc-portal", "serve"]
