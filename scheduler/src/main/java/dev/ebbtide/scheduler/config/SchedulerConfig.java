package dev.ebbtide.scheduler.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The scheduler's settings ({@code ebbtide.*}), each default written here only; see docs/configuration.md. The root
 * prefix makes the scheduler refuse an {@code ebbtide.*} key it does not know (a typo fails the start). The
 * {@code ebbtide.teams.*} group is {@link TeamsConfig}, also a bean of its own ({@link TeamsBean}).
 */
@ConfigMapping(prefix = "ebbtide")
public interface SchedulerConfig {
    /** The cluster that takes submissions naming no compute (docs/compute.md); the job-submitter's must be the same. */
    Optional<String> defaultCompute();

    Scheduling scheduler();

    TeamsConfig teams();

    Jobs jobs();

    /** {@code ebbtide.jobs.*}. */
    interface Jobs {
        HighPriority highPriority();
    }

    /** {@code ebbtide.jobs.high-priority.*}. */
    interface HighPriority {
        /**
         * Teams that may ask for priority high (comma-separated): a job from a producer's topic has no role, so only
         * its team counts here; the job-submitter's list should be the same.
         */
        Optional<String> teams();
    }

    /** {@code ebbtide.scheduler.*}. */
    interface Scheduling {
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
}
