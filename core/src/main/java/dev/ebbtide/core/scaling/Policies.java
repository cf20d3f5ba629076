package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.util.List;

/** The scaling policies by name. */
public final class Policies {

    private Policies() {}

    /** Names accepted by {@link #create(String)}; the first is the default. */
    public static List<String> names() {
        return List.of(
                FixedIdlePolicy.NAME,
                AdaptivePolicy.NAME,
                AdaptivePolicy.LEAN,
                AdaptivePolicy.EAGER,
                AdaptivePolicy.KEEP_ONLY,
                AdaptivePolicy.LEARNED);
    }

    /**
     * Creates the policy (policies are stateless: what they learn comes in the snapshot's {@link ArrivalHistory}).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static ScalingPolicy create(String name) {
        return create(name, null);
    }

    /**
     * Creates the policy for nodes that typically take {@code bootTime} from request to ready: the adaptive
     * policies use it as their look-ahead horizon (default 120 s when {@code null}); fixed-idle ignores it.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static ScalingPolicy create(String name, Duration bootTime) {
        if (name == null) {
            throw new IllegalArgumentException("policy name is required; known: " + names());
        }
        switch (name) {
            case FixedIdlePolicy.NAME:
                return new FixedIdlePolicy();
            case AdaptivePolicy.NAME:
                return new AdaptivePolicy(AdaptivePolicy.NAME, horizon(AdaptivePolicy.DEFAULTS, bootTime));
            case AdaptivePolicy.LEAN:
                return new AdaptivePolicy(AdaptivePolicy.LEAN, horizon(AdaptivePolicy.LEAN_PARAMS, bootTime));
            case AdaptivePolicy.EAGER:
                return new AdaptivePolicy(AdaptivePolicy.EAGER, horizon(AdaptivePolicy.EAGER_PARAMS, bootTime));
            case AdaptivePolicy.KEEP_ONLY:
                return new AdaptivePolicy(AdaptivePolicy.KEEP_ONLY, horizon(AdaptivePolicy.KEEP_ONLY_PARAMS, bootTime));
            case AdaptivePolicy.LEARNED:
                return new AdaptivePolicy(AdaptivePolicy.LEARNED, horizon(AdaptivePolicy.LEARNED_PARAMS, bootTime));
            default:
                throw new IllegalArgumentException("unknown policy '" + name + "'; known: " + names());
        }
    }

    private static AdaptivePolicy.Params horizon(AdaptivePolicy.Params p, Duration bootTime) {
        return bootTime == null ? p : p.withHorizon(bootTime);
    }
}
