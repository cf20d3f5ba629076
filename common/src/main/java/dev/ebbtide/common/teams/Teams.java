package dev.ebbtide.common.teams;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a job belongs to, for queue order rights now and for quotas, shares, usage and budgets later
 * (docs/teams.md). A team comes from the caller's token (a claim) or from the Kafka principal that wrote the
 * submission (a table), never from a field a producer writes freely.
 */
public final class Teams {
    /** The team of a caller or principal that names none, unless configured otherwise. */
    public static final String DEFAULT_TEAM = "default";
    /** The token claim read for the team, unless configured otherwise. */
    public static final String DEFAULT_CLAIM = "team";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Teams() {}

    /** Why {@code team} is not a team name, or empty when it is one. */
    public static Optional<String> nameProblem(String what, String team) {
        if (team != null && NAME.matcher(team).matches()) {
            return Optional.empty();
        }
        return Optional.of(what + " '" + printable(team)
                + "' is not a team name (1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }

    /**
     * The team a token names in its team claim, given the claim's value as the token library returns it (a string, a
     * one-element list, or absent); the default team when absent or empty.
     *
     * @throws IllegalArgumentException with one sentence when the claim holds several teams or is not a team name
     */
    public static String fromClaim(String claim, Object value, String defaultTeam) {
        Object v = value;
        if (v instanceof Collection<?> many) {
            if (many.size() > 1) {
                throw new IllegalArgumentException("the token's '" + claim + "' claim names " + many.size()
                        + " teams; a job belongs to one: ask for a token with one team");
            }
            v = many.isEmpty() ? null : many.iterator().next();
        }
        String team = v == null ? null : unquoted(v.toString()).strip();
        if (team == null || team.isEmpty()) {
            return defaultTeam;
        }
        Optional<String> problem = nameProblem("the token's '" + claim + "' claim", team);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return team;
    }

    /** The team of Kafka producer {@code principal}: its entry in the principal → team table, else the default. */
    public static String ofPrincipal(String principal, Map<String, String> principalTeams, String defaultTeam) {
        String team = principalTeams.get(principal);
        return team == null || team.isBlank() ? defaultTeam : team;
    }

    /** JSON string values (jakarta.json's JsonString prints with quotes). */
    private static String unquoted(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }

    /**
     * The principal → team table of Kafka producers, written {@code principal=team,principal=team}
     * ({@code ebbtide.teams.producers}).
     *
     * @throws IllegalArgumentException with one sentence for an entry that is not {@code principal=team}
     */
    public static Map<String, String> table(String setting) {
        Map<String, String> table = new java.util.TreeMap<>();
        for (String entry : list(setting)) {
            int eq = entry.indexOf('=');
            String principal = eq < 0 ? "" : entry.substring(0, eq).strip();
            String team = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (principal.isEmpty() || nameProblem("team", team).isPresent()) {
                throw new IllegalArgumentException("ebbtide.teams.producers entry '" + printable(entry)
                        + "' is not principal=team (e.g. vision-producer=vision)");
            }
            table.put(principal, team);
        }
        return Map.copyOf(table);
    }

    /** Parses a comma-separated list setting into names, ignoring blanks. */
    public static List<String> list(String commaSeparated) {
        if (commaSeparated == null) {
            return List.of();
        }
        return java.util.Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
