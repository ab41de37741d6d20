# syntax=docker/dockerfile:1
# Switchboard's image: the gateway's jar on a JRE 17, running the repository's config.yml, which
# reads everything a deployment changes from the environment (docs/deployment.md).
#
#   docker build -t switchboard .
#   docker run -p 8080:8080 -v switchboard-data:/var/lib/switchboard switchboard

# --- build: Maven and a JDK 17; tests are the CI's job, not the image's -------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The reactor needs every module's POM; only the service is built. Maven's repository is a build
# cache, so a rebuild downloads nothing it already has.
COPY pom.xml ./
COPY benchmarks/pom.xml benchmarks/
COPY service/pom.xml service/
COPY service/src/main service/src/main
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl service -am package

# --- runtime: a JRE 17, a user without privileges, the jar and config.yml -----------------------
FROM eclipse-temurin:17-jre AS runtime
# curl for the health check below (named explicitly: the base image does not promise it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid switchboard --home-dir /app --shell /usr/sbin/nologin switchboard \
    && mkdir -p /app /var/lib/switchboard \
    && chown switchboard:switchboard /var/lib/switchboard
WORKDIR /app
COPY --from=build /src/service/target/service.jar /app/service.jar
COPY bin/switchboard /app/bin/switchboard
COPY config.yml /app/config.yml

# The API on every interface of the container (without SWITCHBOARD_HOST and gateway keys the
# gateway binds loopback only). A container is started under load: it warms its JIT up on a
# throwaway gateway of its own for 20 s before it opens its ports (gateway.warmup). The admin port stays on loopback unless SWITCHBOARD_ADMIN_HOST
# says otherwise; it is never to be published. The SQLite file, the default database, lives on
# a volume; a cluster sets SWITCHBOARD_DATABASE_URL to PostgreSQL instead.
ENV SWITCHBOARD_HOST=0.0.0.0 \
    SWITCHBOARD_PORT=8080 \
    SWITCHBOARD_ADMIN_PORT=8081 \
    SWITCHBOARD_DB_PATH=/var/lib/switchboard/switchboard.db \
    SWITCHBOARD_LOCAL_DISCOVERY=false \
    SWITCHBOARD_WARMUP=true \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    SWITCHBOARD_CACHE_DIR=/app/cache \
    SWITCHBOARD_CACHE=use
# The launcher's class-data cache, trained once here with the JVM and flags the container runs
# (the training run starts the gateway on loopback with the builtin provider: no network). A
# container started with other JAVA_OPTS finds it stale and runs without it.
RUN SWITCHBOARD_JAVA_OPTS="$JAVA_OPTS" /app/bin/switchboard train
VOLUME /var/lib/switchboard
EXPOSE 8080 8081

USER 10001:10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SWITCHBOARD_PORT}/health-check?type=READY" || exit 1

# The launcher (bin/switchboard) adds its flags and the cache, then execs java: java is PID 1 and
# gets SIGTERM itself, so Dropwizard shuts down gracefully. JAVA_OPTS come after its flags.
ENTRYPOINT ["sh", "-c", "SWITCHBOARD_JAVA_OPTS=\"$JAVA_OPTS\" exec /app/bin/switchboard \"$@\"", "switchboard"]
CMD ["server", "/app/config.yml"]
