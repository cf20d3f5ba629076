package dev.ebbtide.core.instance;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A compute instance as the lifecycle sees it.
 *
 * @param state     its state
 * @param since     when it entered the state
 * @param idleSince when it last became idle ({@code Running} without a job), or null
 * @param idleShutdown stop it after this long idle; null = never
 * @param reason    why it is in this state, one sentence
 */
public record InstanceSnapshot(
        String name, InstanceState state, Instant since, Instant idleSince, Duration idleShutdown, String reason) {
    public InstanceSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
    }

    /** A new instance, before it is created. */
    public static InstanceSnapshot defined(String name, Duration idleShutdown, Instant now) {
        return new InstanceSnapshot(name, InstanceState.Creating, now, null, idleShutdown, "defined");
    }

    InstanceSnapshot to(InstanceState next, Instant now, String why) {
        Instant idle = next == InstanceState.Running ? (state == InstanceState.Running ? idleSince : now) : null;
        return new InstanceSnapshot(name, next, now, idle, idleShutdown, why);
    }
}
