package dev.ebbtide.agent;

import java.time.Instant;

/**
 * The agent's own log: one line per event on stderr, written directly so that lines logged while the JVM shuts down
 * (after java.util.logging has closed its handlers) are not lost. Never given secrets or job environment values.
 */
public final class AgentLog {
    private AgentLog() {}

    public static void info(String message) {
        line("INFO", message);
    }

    public static void warn(String message) {
        line("WARN", message);
    }

    private static void line(String level, String message) {
        System.err.println(Instant.now() + " " + level + " " + message);
        System.err.flush();
    }
}
