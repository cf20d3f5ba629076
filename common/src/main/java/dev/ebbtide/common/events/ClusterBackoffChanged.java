package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * The provisioner started (or ended, {@code until} null) backing off a cluster after a cloud failure. The autoscaler
 * puts it in its snapshot, so its decisions say why a cluster does not grow.
 *
 * @param errorClass the cloud failure's class, e.g. QUOTA_EXCEEDED, CAPACITY_UNAVAILABLE
 */
public record ClusterBackoffChanged(String cluster, Instant until, String errorClass, String reason, Instant at) {}
