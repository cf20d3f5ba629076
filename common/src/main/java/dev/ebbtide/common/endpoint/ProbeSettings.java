package dev.ebbtide.common.endpoint;

import java.time.Duration;

/**
 * A deployment's {@code liveness_probe} or {@code readiness_probe} (whole seconds in the YAML), with Azure ML's
 * defaults for what is not written.
 *
 * @param initialDelay     {@code initial_delay}: from the instance's start to the first probe (default 10 s)
 * @param period           {@code period}: between probes (default 10 s)
 * @param timeout          {@code timeout}: a probe not answered by then failed (default 2 s)
 * @param failureThreshold {@code failure_threshold}: consecutive failures before giving up: a liveness probe restarts
 *                         the instance, a readiness probe takes it out of the rotation (default 30)
 * @param successThreshold {@code success_threshold}: consecutive successes after a failure to count as up again
 *                         (default 1)
 */
public record ProbeSettings(
        Duration initialDelay, Duration period, Duration timeout, int failureThreshold, int successThreshold) {
    public static final ProbeSettings DEFAULTS =
            new ProbeSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2), 30, 1);
}
