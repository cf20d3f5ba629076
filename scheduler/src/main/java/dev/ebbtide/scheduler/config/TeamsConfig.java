package dev.ebbtide.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The scheduler's team settings ({@code ebbtide.teams.*}); see docs/configuration.md and docs/teams.md. */
@ConfigMapping(prefix = "ebbtide.teams")
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
}
