package dev.ebbtide.provisioner.cloud;

import java.util.function.Supplier;

/**
 * Why the cloud calls made on this thread happen: a scale request's id, {@code reconcile} or {@code lost}. Providers
 * that count their mutating calls (the local cloud's {@code cloud-calls.log}) record it beside each call.
 */
public final class CallContext {
    private static final ThreadLocal<String> CAUSE = new ThreadLocal<>();

    private CallContext() {}

    /** Runs {@code work} with {@code cause} as the reason of its cloud calls. */
    public static <T> T with(String cause, Supplier<T> work) {
        String before = CAUSE.get();
        CAUSE.set(cause);
        try {
            return work.get();
        } finally {
            if (before == null) {
                CAUSE.remove();
            } else {
                CAUSE.set(before);
            }
        }
    }

    /** The current cause, or {@code -} when none was given. */
    public static String cause() {
        String c = CAUSE.get();
        return c == null ? "-" : c;
    }
}
