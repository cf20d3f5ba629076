package dev.ebbtide.common.events;

import java.util.Objects;

/**
 * A cluster's scaling settings as one policy version holds them, in Azure ML's terms.
 *
 * @param minInstances            nodes kept even when idle
 * @param maxInstances            the most nodes the cluster may have
 * @param idleTimeBeforeScaleDown seconds a node stays idle before it is removed
 * @param policy                  the scaling policy's name, e.g. {@code fixed-idle}
 */
public record PolicySettings(int minInstances, int maxInstances, long idleTimeBeforeScaleDown, String policy) {
    public PolicySettings {
        Objects.requireNonNull(policy, "policy");
    }
}
