package dev.ebbtide.common.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may ask for priority high. */
class PriorityRightsTest {
    private static final PriorityRights VISION_AND_OPERATORS = new PriorityRights(Set.of("vision"), Set.of("operator"));

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("medium is everyone's", PriorityRights.DEFAULT, "medium", "nlp", List.of(), true),
                Arguments.of("low is everyone's", PriorityRights.DEFAULT, "low", "nlp", List.of("submitter"), true),
                Arguments.of(
                        "default: an operator may", PriorityRights.DEFAULT, "high", "nlp", List.of("operator"), true),
                Arguments.of(
                        "default: a submitter may not",
                        PriorityRights.DEFAULT,
                        "high",
                        "nlp",
                        List.of("submitter"),
                        false),
                Arguments.of("a listed team may", VISION_AND_OPERATORS, "high", "vision", List.of("submitter"), true),
                Arguments.of("another team may not", VISION_AND_OPERATORS, "high", "nlp", List.of("submitter"), false),
                Arguments.of(
                        "a Kafka producer of a listed team may",
                        VISION_AND_OPERATORS,
                        "high",
                        "vision",
                        List.of(),
                        true),
                Arguments.of(
                        "a Kafka producer of another team may not",
                        VISION_AND_OPERATORS,
                        "high",
                        "default",
                        List.of(),
                        false),
                Arguments.of(
                        "everyone, when every role is listed",
                        new PriorityRights(Set.of(), Set.of("operator", "submitter")),
                        "high",
                        "nlp",
                        List.of("submitter"),
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void highIsForTheConfiguredTeamsAndRoles(
            String row, PriorityRights rights, String priority, String team, List<String> roles, boolean allowed) {
        assertEquals(allowed, rights.refusal(priority, team, roles).isEmpty(), row);
    }

    @org.junit.jupiter.api.Test
    void othersGetOneSentence() {
        assertEquals(
                Optional.of("team 'nlp' may not use priority high (allowed: teams vision, roles operator;"
                        + " ebbtide.jobs.high-priority.teams and .roles); submit with medium or ask an operator"),
                VISION_AND_OPERATORS.refusal("high", "nlp", List.of("submitter")));
    }
}
