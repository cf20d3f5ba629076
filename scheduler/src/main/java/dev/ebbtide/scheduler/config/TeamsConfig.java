package dev.ebbtide.scheduler.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's team settings ({@code ebbtide.teams.*}, a group of {@link SchedulerConfig}); see docs/configuration.md
 * and docs/teams.md.
 */
public interface TeamsConfig {
    /** The team of a Kafka principal not in {@link #producers()} (and of jobs stored before teams existed). */
    @WithDefault("default")
    String defaultTeam();

    /** Kafka producer principal → team, comma-separated {@code principal=team}. */
    Optional<String> producers();

    /**
     * Each team's weight in its clusters' queues, comma-separated {@code team=weight} (e.g. {@code vision=2,nlp=1});
     * a team not listed has weight 1 ({@code FairShare.DEFAULT_WEIGHT}).
     */
    Optional<String> weights();

    /**
     * Each team's spend budget per calendar month (UTC), in the price table's currency, comma-separated
     * {@code team=amount} (e.g. {@code vision=2000,nlp=500}); a team not listed has none. An operator's raise through
     * {@code PUT /teams/{team}/budget} goes over it.
     */
    Optional<String> budgets();

    /** The fraction of a budget at which a team is at its soft limit: a warning and the metric, nothing waits. */
    @WithDefault("0.8")
    double budgetSoftLimit();

    /** How often each budgeted team's spend this month is counted from usage and checked against its budget. */
    @WithDefault("60s")
    Duration budgetCheckInterval();

    /**
     * Each team's quota on each cluster, by team ({@code ebbtide.teams.quota.vision.cores=32}); a team not listed is not
     * limited. See docs/teams.md#quotas-and-borrowing.
     */
    Map<String, Quota> quota();

    /** A team's nominal quota on every cluster, its cohort and borrowing limits, and per-cluster overrides. */
    interface Quota {
        /** Nominal cores on each cluster. */
        @WithDefault("0")
        long cores();

        /** Nominal GPUs on each cluster. */
        @WithDefault("0")
        long gpus();

        /** The cohort whose unused nominal quota it may borrow, and to which it lends its own; none: neither. */
        Optional<String> cohort();

        /** Most cores it may use beyond its nominal (borrowed); none: as many as the cohort leaves unused. */
        Optional<Long> borrowingLimitCores();

        /** Most GPUs it may use beyond its nominal (borrowed); none: as many as the cohort leaves unused. */
        Optional<Long> borrowingLimitGpus();

        /** Per-cluster nominal quota instead of {@link #cores()} and {@link #gpus()} on that cluster. */
        Map<String, ClusterQuota> clusters();
    }

    /** A team's nominal quota on one cluster; a value not set is the team's own. */
    interface ClusterQuota {
        Optional<Long> cores();

        Optional<Long> gpus();
    }
}
