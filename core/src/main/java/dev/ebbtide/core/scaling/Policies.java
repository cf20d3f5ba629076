package dev.ebbtide.core.scaling;

import java.util.List;

/** The scaling policies by name. */
public final class Policies {

    private Policies() {
    }

    /** Names accepted by {@link #create(String)}; the first is the default. */
    public static List<String> names() {
        return List.of(FixedIdlePolicy.NAME, AdaptivePolicy.NAME, AdaptivePolicy.LEAN, AdaptivePolicy.EAGER,
                AdaptivePolicy.KEEP_ONLY);
    }

    /**
     * Creates a new policy instance (adaptive policies keep per-cluster state: use one instance per autoscaler).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static ScalingPolicy create(String name) {
        if (name == null) {
            throw new IllegalArgumentException("policy name is required; known: " + names());
        }
        switch (name) {
            case FixedIdlePolicy.NAME:
                return new FixedIdlePolicy();
            case AdaptivePolicy.NAME:
                return new AdaptivePolicy(AdaptivePolicy.NAME, AdaptivePolicy.DEFAULTS);
            case AdaptivePolicy.LEAN:
                return new AdaptivePolicy(AdaptivePolicy.LEAN, AdaptivePolicy.LEAN_PARAMS);
            case AdaptivePolicy.EAGER:
                return new AdaptivePolicy(AdaptivePolicy.EAGER, AdaptivePolicy.EAGER_PARAMS);
            case AdaptivePolicy.KEEP_ONLY:
                return new AdaptivePolicy(AdaptivePolicy.KEEP_ONLY, AdaptivePolicy.KEEP_ONLY_PARAMS);
            default:
                throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + names());
        }
    }
}
