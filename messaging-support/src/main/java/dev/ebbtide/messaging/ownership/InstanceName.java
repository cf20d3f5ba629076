package dev.ebbtide.messaging.ownership;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Optional;

/**
 * This process's name among the instances of its service: {@code EBBTIDE_INSTANCE} when set (the local stack sets
 * {@code scheduler-1}, {@code scheduler-2}, …; a container sets its hostname), else {@code <host>-<pid>}. It names
 * the sender of every scale request and node action, the Kafka client ids, and the owner in {@code status}.
 */
public final class InstanceName {
    private InstanceName() {}

    public static String current(String service) {
        return fromEnvironment()
                .orElseGet(() ->
                        service + "@" + host() + "-" + ProcessHandle.current().pid());
    }

    static Optional<String> fromEnvironment() {
        String v = System.getenv("EBBTIDE_INSTANCE");
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
