package dev.ebbtide.common.teams;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Who may ask for {@code priority: high} (issue 19): callers with one of {@code roles}, or whose team is one of
 * {@code teams}. {@code low} and {@code medium} are everyone's. The default lets operators only
 * ({@code ebbtide.jobs.high-priority.roles=operator}, no teams). A Kafka producer has no role: only its team counts.
 */
public record PriorityRights(Set<String> teams, Set<String> roles) {
    public static final String HIGH = "high";
    /** Operators only. */
    public static final PriorityRights DEFAULT = new PriorityRights(Set.of(), Set.of("operator"));

    public PriorityRights {
        teams = Set.copyOf(teams);
        roles = Set.copyOf(roles);
    }

    /** The sentence that refuses this job's priority, or empty when the caller may use it. */
    public Optional<String> refusal(String priority, String team, Collection<String> callerRoles) {
        if (!HIGH.equals(priority)) {
            return Optional.empty();
        }
        if (teams.contains(team) || callerRoles.stream().anyMatch(roles::contains)) {
            return Optional.empty();
        }
        return Optional.of("team '" + team + "' may not use priority high (allowed: " + allowed()
                + "; ebbtide.jobs.high-priority.teams and .roles); submit with medium or ask an operator");
    }

    private String allowed() {
        String t = teams.isEmpty()
                ? "no team"
                : "teams " + String.join(", ", teams.stream().sorted().toList());
        String r = roles.isEmpty()
                ? "no role"
                : "roles " + String.join(", ", roles.stream().sorted().toList());
        return t + ", " + r;
    }
}
