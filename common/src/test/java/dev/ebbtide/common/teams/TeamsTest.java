package dev.ebbtide.common.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A token's team claim → the job's team; a Kafka principal → its team. */
class TeamsTest {

    static Stream<Arguments> claims() {
        return Stream.of(
                Arguments.of("a plain string", "vision", "vision"),
                Arguments.of("a JSON string as jakarta.json prints it", "\"vision\"", "vision"),
                Arguments.of("a one-element list (Keycloak group mappers)", List.of("nlp"), "nlp"),
                Arguments.of("no claim", null, "default"),
                Arguments.of("an empty claim", "  ", "default"),
                Arguments.of("an empty list", List.of(), "default"),
                Arguments.of("dots, dashes, underscores", "ml-platform.eu_1", "ml-platform.eu_1"));
    }

    @ParameterizedTest(name = "{0}: {1} → {2}")
    @MethodSource("claims")
    void aTokensTeamClaimGivesTheJobsTeam(String row, Object claim, String team) {
        assertEquals(team, Teams.fromClaim("team", claim, "default"), row);
    }

    static Stream<Arguments> refusedClaims() {
        return Stream.of(
                Arguments.of(
                        "two teams",
                        List.of("a", "b"),
                        "the token's 'team' claim names 2 teams; a job belongs to one: ask for a token with one team"),
                Arguments.of(
                        "a space",
                        "vision team",
                        "the token's 'team' claim 'vision team' is not a team name (1 to 64 letters, digits, '.', '_'"
                                + " or '-', starting with a letter or digit)"),
                Arguments.of(
                        "a control character",
                        "a\nb",
                        "the token's 'team' claim 'a?b' is not a team name (1 to 64 letters, digits, '.', '_' or '-',"
                                + " starting with a letter or digit)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedClaims")
    void aClaimThatIsNotOneTeamNameIsRefusedWithOneSentence(String row, Object claim, String sentence) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Teams.fromClaim("team", claim, "default"), row);
        assertEquals(sentence, e.getMessage());
    }

    static Stream<Arguments> principals() {
        Map<String, String> table = Map.of("vision-producer", "vision", "nlp-producer", "nlp");
        return Stream.of(
                Arguments.of("a principal in the table", "vision-producer", table, "vision"),
                Arguments.of("a principal not in the table", "ebbtide-producer", table, "default"),
                Arguments.of("an empty table", "vision-producer", Map.of(), "default"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("principals")
    void aKafkaPrincipalsTeamComesFromTheTable(String row, String principal, Map<String, String> table, String team) {
        assertEquals(team, Teams.ofPrincipal(principal, table, "default"), row);
    }

    @org.junit.jupiter.api.Test
    void theProducerTableIsWrittenPrincipalEqualsTeam() {
        assertEquals(
                Map.of("vision-producer", "vision", "nlp-producer", "nlp"),
                Teams.table(" vision-producer=vision, nlp-producer = nlp ,"));
        assertEquals(Map.of(), Teams.table(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Teams.table("vision-producer"));
        assertEquals(
                "ebbtide.teams.producers entry 'vision-producer' is not principal=team (e.g. vision-producer=vision)",
                e.getMessage());
    }
}
