package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.util.Objects;

/**
 * A cluster's scale settings, in Azure ML's terms ({@code min_instances}, {@code max_instances},
 * {@code idle_time_before_scale_down}).
 *
 * @param minNodes                 nodes kept even when idle, at least 0
 * @param maxNodes                 the most nodes the cluster may have; {@link Integer#MAX_VALUE} = unlimited
 * @param idleTimeBeforeScaleDown  how long a node stays idle before it is removed (fixed-idle's T)
 */
public record ScalingSettings(int minNodes, int maxNodes, Duration idleTimeBeforeScaleDown) {
    /** Ebbtide's default idle time (Azure ML CLI v2's documented value). */
    public static final Duration DEFAULT_IDLE_TIME = Duration.ofSeconds(120);

    public ScalingSettings {
        Objects.requireNonNull(idleTimeBeforeScaleDown, "idleTimeBeforeScaleDown");
        if (minNodes < 0) {
            throw new IllegalArgumentException("minNodes must be >= 0, got " + minNodes);
        }
        if (maxNodes < minNodes) {
            throw new IllegalArgumentException("maxNodes (" + maxNodes + ") must be >= minNodes (" + minNodes + ")");
        }
        if (idleTimeBeforeScaleDown.isNegative()) {
            throw new IllegalArgumentException("idleTimeBeforeScaleDown must not be negative");
        }
    }

    /** Min 0, unlimited max, the given idle time. */
    public static ScalingSettings scaleToZero(Duration idleTime) {
        return new ScalingSettings(0, Integer.MAX_VALUE, idleTime);
    }

    public boolean unlimited() {
        return maxNodes == Integer.MAX_VALUE;
    }
}
