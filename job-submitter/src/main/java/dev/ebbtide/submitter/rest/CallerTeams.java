package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.teams.PriorityRights;
import dev.ebbtide.common.teams.Teams;
import dev.ebbtide.submitter.config.SubmitterConfig;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A REST caller's team, from the claim {@code ebbtide.teams.claim} of its token (the default team when the token has
 * none), and who may use priority high (docs/teams.md). The job-submitter writes the team into the submission; the
 * scheduler honours it because only the job-submitter may write {@code ebbtide.jobs.submitted}.
 */
@ApplicationScoped
public class CallerTeams {
    private final String claim;
    private final String defaultTeam;
    private final PriorityRights rights;

    CallerTeams(SubmitterConfig config) {
        this.claim = config.teams().claim();
        String defaultTeam = config.teams().defaultTeam();
        Optional<String> highTeams = config.jobs().highPriority().teams();
        String highRoles = config.jobs().highPriority().roles();
        Optional<String> bad = Teams.nameProblem("ebbtide.teams.default-team", defaultTeam);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(bad.get());
        }
        this.defaultTeam = defaultTeam;
        this.rights = new PriorityRights(
                new HashSet<>(Teams.list(highTeams.orElse(""))), new HashSet<>(Teams.list(highRoles)));
    }

    /**
     * @throws IllegalArgumentException with one sentence when the token's team claim is not one team name
     */
    public String teamOf(SecurityIdentity who) {
        Object value = who.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim(claim) : null;
        return Teams.fromClaim(claim, value, defaultTeam);
    }

    public PriorityRights rights() {
        return rights;
    }
}
