package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.common.teams.PriorityRights;
import dev.ebbtide.common.teams.Teams;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import dev.ebbtide.scheduler.config.TeamsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The team of a submission, from who wrote it (docs/teams.md). Only the job-submitter may write
 * {@link Topics#JOBS_SUBMITTED}: its records carry the REST caller's team, taken from the caller's token and checked
 * there (priority rights included). A Kafka producer principal writes only its own
 * {@link Topics#submissionsOf topic}: its jobs get the principal's team from {@code ebbtide.teams.producers}, a
 * {@code team} field naming another team is refused, and priority high needs the team's right (a producer has no
 * role).
 */
@ApplicationScoped
class IntakeTeams {
    /** The team a submission belongs to, or the sentence that refuses it. */
    record Decision(String team, String refusal) {}

    private final String defaultTeam;
    private final Map<String, String> producers;
    private final PriorityRights rights;

    IntakeTeams(SchedulerConfig config) {
        TeamsConfig teams = config.teams();
        Optional<String> highTeams = config.jobs().highPriority().teams();
        String defaultTeam = teams.defaultTeam();
        Optional<String> producers = teams.producers();
        Optional<String> bad = Teams.nameProblem("ebbtide.teams.default-team", defaultTeam);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(bad.get());
        }
        this.defaultTeam = defaultTeam;
        this.producers = Teams.table(producers.orElse(""));
        this.rights = new PriorityRights(new HashSet<>(Teams.list(highTeams.orElse(""))), Set.of());
    }

    String defaultTeam() {
        return defaultTeam;
    }

    Decision of(String topic, JobSubmitted s) {
        String producer = Topics.producerOf(topic);
        if (producer == null) { // the job-submitter's topic: its REST caller's team, checked there
            return new Decision(s.team() != null ? s.team() : defaultTeam, null);
        }
        String team = Teams.ofPrincipal(producer, producers, defaultTeam);
        if (s.team() != null && !s.team().equals(team)) {
            return new Decision(
                    team,
                    "team '" + s.team() + "' is not this producer's: Kafka principal '" + producer
                            + "' submits for team '" + team + "' (ebbtide.teams.producers); leave team out");
        }
        String priority = s.spec() == null ? null : s.spec().priority();
        return new Decision(team, rights.refusal(priority, team, Set.of()).orElse(null));
    }
}
