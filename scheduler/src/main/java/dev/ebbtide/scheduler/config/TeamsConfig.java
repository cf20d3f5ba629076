package dev.ebbtide.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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
}
