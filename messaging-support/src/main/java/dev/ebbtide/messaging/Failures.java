package dev.ebbtide.messaging;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Transient or poison? An exception while applying an event is transient when a dependency is unavailable or slow
 * (PostgreSQL connection, SQLSTATE classes 08 / 53 / 57P0x, timeouts, serialization failures; a closed Vert.x pool or
 * connection; Kafka's retriable errors and timeouts): the consumer waits and retries, it never dead-letters the record
 * for that. Anything else is a problem with the record (or a bug) and is dead-lettered after a few attempts.
 */
public final class Failures {
    static final String POSTGRESQL = "PostgreSQL";
    static final String KAFKA = "Kafka";

    private static final Set<String> CONNECTION_CLASSES = Set.of(
            "ConnectException",
            "ClosedConnectionException",
            "ClosedChannelException",
            "NoRouteToHostException",
            "SocketTimeoutException",
            "SocketException",
            "UnknownHostException",
            "TimeoutException",
            "PoolClosedException",
            "ConnectTimeoutException");
    private static final Set<String> CONNECTION_MESSAGES = Set.of(
            "connection refused",
            "connection reset",
            "connection is closed",
            "connection closed",
            "pool closed",
            "timeout",
            "timed out",
            "broken pipe");

    /** Messages are only trusted from I/O libraries: "timeout" in our own validation sentence is not an outage. */
    private static final Set<String> INFRASTRUCTURE_PACKAGES = Set.of(
            "io.vertx.",
            "io.netty.",
            "java.net.",
            "java.io.",
            "java.nio.",
            "org.hibernate.",
            "java.util.concurrent.",
            "io.smallrye.mutiny.TimeoutException",
            "org.apache.kafka.");

    private Failures() {}

    /** The dependency to wait for when {@code failure} is transient ("PostgreSQL", "Kafka", "a dependency"), else empty. */
    public static Optional<String> transientDependency(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
            String sqlState = sqlState(t);
            if (sqlState != null) {
                return transientSqlState(sqlState) ? Optional.of(POSTGRESQL) : Optional.empty();
            }
            if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return Optional.of(KAFKA);
            }
            String name = t.getClass().getName();
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase();
            boolean infrastructure = INFRASTRUCTURE_PACKAGES.stream().anyMatch(name::startsWith);
            boolean connection = infrastructure
                    && (CONNECTION_CLASSES.contains(t.getClass().getSimpleName())
                            || CONNECTION_MESSAGES.stream().anyMatch(message::contains));
            if (connection) {
                return Optional.of(dependencyOf(failure));
            }
            if (message.contains("srmsg00034") || message.contains("insufficient downstream requests")) {
                return Optional.of(KAFKA); // an emitter's buffer is full: Kafka does not take records as fast
            }
            if (name.startsWith("io.vertx.sqlclient") && message.contains("closed")) {
                return Optional.of(POSTGRESQL);
            }
        }
        return Optional.empty();
    }

    /** SQLSTATE classes that say "the database is unavailable or busy", not "this row is wrong". */
    static boolean transientSqlState(String state) {
        return state.startsWith("08") // connection exception
                || state.startsWith("53") // insufficient resources
                || state.startsWith("57P0") // admin / crash shutdown, cannot connect now
                || state.equals("57014") // query canceled (statement timeout)
                || state.equals("40001")
                || state.equals("40P01") // serialization failure, deadlock
                || state.equals("55P03"); // lock not available
    }

    private static String dependencyOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.contains("kafka")) {
                return KAFKA;
            }
            if (name.contains("pgclient") || name.contains("sqlclient") || name.contains("hibernate")) {
                return POSTGRESQL;
            }
        }
        return "a dependency";
    }

    /** The SQLSTATE of a PostgreSQL error (Vert.x's PgException, JDBC's SQLException), read without a compile-time link. */
    private static String sqlState(Throwable t) {
        if (t instanceof java.sql.SQLException sql) {
            return sql.getSQLState();
        }
        if (!t.getClass().getSimpleName().equals("PgException")) {
            return null;
        }
        try {
            Method m = t.getClass().getMethod("getSqlState");
            Object state = m.invoke(t);
            return state == null ? null : state.toString();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
