package dev.ebbtide.common.events;

import java.time.Instant;

/** One job waiting in a cluster's queue, as the autoscaler sees it. */
public record QueuedJob(String jobId, int instanceCount, String priority, Instant queuedSince) {}
