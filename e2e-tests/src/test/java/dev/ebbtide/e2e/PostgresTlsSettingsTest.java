package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The managed-PostgreSQL settings of docs/operations.md ("Managed PostgreSQL"), exactly as written there (environment
 * variables), on the built scheduler against a local PostgreSQL that serves TLS with its own certificate: with the
 * server's CA the scheduler's datasource is up over TLS ({@code pg_stat_ssl}); with another CA it is refused.
 */
class PostgresTlsSettingsTest {
    private static final String HEALTH = "Reactive PostgreSQL connections health check";

    @Test
    void verifyFullWithTheServersCaConnectsOverTlsAndAnotherCaIsRefused(@TempDir Path dir) throws Exception {
        Path scheduler = RepoConfig.root().resolve("scheduler/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(scheduler), "build the scheduler first (./mvnw -DskipTests package)");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        selfSigned(dir, cert, key, "localhost");
        Path otherCa = dir.resolve("other.crt");
        selfSigned(dir, otherCa, dir.resolve("other.key"), "localhost");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPort(ComposeKafkaNodes.freePort())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", cert.toString())
                .setServerConfig("ssl_key_file", key.toString())
                .start()) {
            Process good = startScheduler(scheduler, dir, pg.getPort(), cert, "good");
            try {
                assertEquals("UP", datasourceHealth(good, dir, "good"), "with the server's CA");
                try (Connection c = pg.getPostgresDatabase().getConnection();
                        ResultSet r = c.createStatement()
                                .executeQuery("select count(*) from pg_stat_ssl s join pg_stat_activity a using (pid) "
                                        + "where s.ssl and a.client_addr is not null and s.pid <> pg_backend_pid()")) {
                    r.next();
                    assertTrue(
                            r.getInt(1) > 0,
                            "the scheduler's connections use TLS (this test's own one is not counted)");
                }
            } finally {
                good.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            Process bad = startScheduler(scheduler, dir, pg.getPort(), otherCa, "bad");
            try {
                String health = datasourceHealth(bad, dir, "bad");
                assertTrue(!"UP".equals(health), "another CA must be refused, health: " + health);
            } finally {
                bad.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A self-signed certificate for {@code host} (its own CA) and its key, as PEM, with openssl. */
    private static void selfSigned(Path dir, Path cert, Path key, String host) throws Exception {
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "2",
                        "-subj",
                        "/CN=" + host,
                        "-addext",
                        "subjectAltName=DNS:" + host)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl: " + out);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    private static Process startScheduler(Path jar, Path dir, int pgPort, Path ca, String name) throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + ComposeKafkaNodes.freePort(),
                "-Dquarkus.http.host=127.0.0.1",
                "-jar",
                jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment()
                .putAll(Map.of(
                        // the settings of docs/operations.md, "Managed PostgreSQL", with a local server
                        "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + pgPort + "/postgres",
                        "QUARKUS_DATASOURCE_USERNAME", "postgres",
                        "QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE", "verify-full",
                        "QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM", "HTTPS",
                        "QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM", "true",
                        "QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS", ca.toString(),
                        "KAFKA_BOOTSTRAP_SERVERS",
                                "127.0.0.1:" + ComposeKafkaNodes.freePort())); // no broker: not under test
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /**
     * The datasource's readiness check ("UP"/"DOWN"), once the scheduler answers /q/health/ready; "exited" when the
     * scheduler stopped instead; DOWN only after 40 s. Waits up to 3 minutes (the machine may be busy).
     */
    private static String datasourceHealth(Process p, Path dir, String name) throws Exception {
        Path log = dir.resolve(name + ".log");
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(3).toNanos();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String port = null;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return "exited";
            }
            String text = Files.exists(log) ? Files.readString(log) : "";
            var m = java.util.regex.Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)")
                    .matcher(text);
            if (port == null && m.find()) {
                port = m.group(1);
            }
            if (port != null) {
                String body = http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                        .timeout(Duration.ofSeconds(20))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                var check = java.util.regex.Pattern.compile(
                                "\"name\"\\s*:\\s*\"" + HEALTH + "\"\\s*,\\s*\"status\"\\s*:\\s*\"(UP|DOWN)\"")
                        .matcher(body);
                if (check.find()) {
                    if (check.group(1).equals("UP")
                            || System.nanoTime() - start
                                    > Duration.ofSeconds(40).toNanos()) {
                        return check.group(1); // DOWN counts once its reconnect attempts have had 40 s
                    }
                }
            }
            Thread.sleep(500);
        }
        return "no answer: " + Files.readString(log);
    }
}
