package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-cluster scale-up backoff after a failed scale-up: 30 s, doubling per consecutive failure, at most 30 min, and
 * never shorter than what the cloud asked for (Retry-After). A success resets it. The autoscaler reads
 * {@link #active(String)} into its snapshot so its decisions say why a cluster does not grow.
 */
public final class ClusterBackoff {

    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX = Duration.ofMinutes(30);

    /**
     * @param failures consecutive failures so far
     * @param until    scale-up waits until this instant
     */
    public record State(String cluster, ErrorClass errorClass, int failures, Instant until, Reason reason) {
        public boolean activeAt(Instant now) {
            return now.isBefore(until);
        }
    }

    private final Clock clock;
    private final Duration initial;
    private final Duration max;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public ClusterBackoff(Clock clock) {
        this(clock, DEFAULT_INITIAL, DEFAULT_MAX);
    }

    public ClusterBackoff(Clock clock, Duration initial, Duration max) {
        this.clock = clock;
        this.initial = initial;
        this.max = max;
    }

    /** Record a failed scale-up; returns the new state (until = now + delay, or later if the cloud said so). */
    public State recordFailure(String cluster, ErrorClass errorClass, Reason reason, Duration atLeast) {
        Instant now = clock.instant();
        return states.compute(cluster, (k, old) -> {
            int failures = old == null ? 1 : old.failures() + 1;
            Duration delay = delay(failures);
            if (atLeast != null && atLeast.compareTo(delay) > 0) {
                delay = atLeast;
            }
            return new State(cluster, errorClass, failures, now.plus(delay), reason);
        });
    }

    /** 30 s × 2^(failures−1), capped at the maximum. */
    public Duration delay(int failures) {
        Duration d = initial;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** A scale-up succeeded: forget the failures. Returns whether the cluster had a backoff state. */
    public boolean recordSuccess(String cluster) {
        return states.remove(cluster) != null;
    }

    /** The cluster's backoff if it is still running now. */
    public Optional<State> active(String cluster) {
        State s = states.get(cluster);
        return s != null && s.activeAt(clock.instant()) ? Optional.of(s) : Optional.empty();
    }

    /** Puts back a state read from the cluster's durable record (a takeover). */
    public void restore(State state) {
        states.put(state.cluster(), state);
    }

    /** The cluster is no longer this instance's: its state lives on in the durable record. */
    public void forget(String cluster) {
        states.remove(cluster);
    }

    /** The last recorded state, running or expired (failure count survives expiry until a success). */
    public Optional<State> last(String cluster) {
        return Optional.ofNullable(states.get(cluster));
    }
}
