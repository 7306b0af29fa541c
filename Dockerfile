# Build stage: the JDK and Maven never reach the runtime image.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies get their own layer, so editing sources does not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17.0.13_11-jre
# The healthcheck needs curl. Temurin's Ubuntu images install it (adoptium/containers#255); failing the build
# here beats shipping a container that can never report healthy after a base-image bump.
RUN command -v curl
RUN groupadd --system --gid 10001 poolwatch \
 && useradd --system --uid 10001 --gid poolwatch --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin poolwatch \
 && mkdir /data \
 && chown poolwatch:poolwatch /data
COPY --from=build /src/target/poolwatch.jar /app/poolwatch.jar
# Numeric ids, so a runtime can verify the user is not root without reading /etc/passwd.
USER 10001:10001
EXPOSE 9464
# curl -f exits 22 on a 503; Docker reserves exit codes other than 0 and 1.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9464/health/ready || exit 1
# A JVM that ran out of memory is better restarted than left limping.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/poolwatch.jar"]
CMD ["demo", "--bind", "0.0.0.0", "--port", "9464", "--data-dir", "/data", "--token-file", "/run/secrets/poolwatch-token"]
