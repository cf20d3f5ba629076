package dev.ebbtide.scheduler.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The scheduler's settings ({@code ebbtide.scheduler.*}); see docs/configuration.md. */
@ConfigMapping(prefix = "ebbtide.scheduler")
public interface SchedulerConfig {
    /** How often the outbox relay sends what a crash or a broker outage left behind. */
    @WithDefault("1s")
    Duration outboxRelayInterval();

    /** Placements a job gets: after this many lost nodes or rejected assignments it fails instead of requeuing. */
    @WithDefault("5")
    int maxAttempts();

    /** Output stored per job, attempt and rank; later chunks are counted, not stored, and the log says [truncated]. */
    @WithDefault("10M")
    MemorySize maxLogSizePerRank();

    /**
     * The longest wait between two tries of a record while PostgreSQL or Kafka is unavailable (waits start at 200 ms
     * and double): how long after the dependency is back the scheduler goes on at the latest.
     */
    @WithDefault("5s")
    Duration retryMaxWait();

    /** How often jobs that arrived before their cluster's definition are looked at (while there are any). */
    @WithDefault("1s")
    Duration clusterWaitCheckInterval();

    /**
     * How long a new node takes to become ready, for queued jobs' start estimates (the autoscaler's
     * {@code ebbtide.autoscaler.node-boot-time}; set both alike).
     */
    @WithDefault("120s")
    Duration nodeBootTime();
}
