package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.CronExpression;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {
    static final ZoneId UTC = ZoneId.of("UTC");

    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource({
        "0 18 * * *,      2026-12-02T10:00:00Z, 2026-12-02T18:00:00Z",
        "0 18 * * *,      2026-12-02T18:00:00Z, 2026-12-03T18:00:00Z",
        "*/15 * * * *,    2026-12-02T10:07:30Z, 2026-12-02T10:15:00Z",
        "0 8 * * 1-5,     2026-12-04T09:00:00Z, 2026-12-07T08:00:00Z", // Friday -> Monday
        "30 6 1 * *,      2026-12-02T00:00:00Z, 2027-01-01T06:30:00Z",
        "0 0 * * 0,       2026-12-02T00:00:00Z, 2026-12-06T00:00:00Z", // Sunday as 0
        "0 0 * * 7,       2026-12-02T00:00:00Z, 2026-12-06T00:00:00Z", // Sunday as 7
        "0 12 13 * 5,     2026-12-02T00:00:00Z, 2026-12-04T12:00:00Z", // either day field matches
        "'5,10 9-10/1 * 12 *', 2026-12-02T09:06:00Z, 2026-12-02T09:10:00Z",
    })
    void nextFiringInUtc(String expression, String after, String expected) {
        assertEquals(Instant.parse(expected), CronExpression.parse(expression).next(Instant.parse(after), UTC));
    }

    @Test
    void readsTheExpressionInItsTimeZone() {
        // 08:00 in Berlin in December is 07:00 UTC
        assertEquals(
                Instant.parse("2026-12-03T07:00:00Z"),
                CronExpression.parse("0 8 * * *")
                        .next(Instant.parse("2026-12-02T08:00:00Z"), ZoneId.of("Europe/Berlin")));
    }

    @Test
    void firedBetweenIsExclusiveOfTheStartAndInclusiveOfTheEnd() {
        CronExpression c = CronExpression.parse("0 18 * * *");
        assertTrue(c.firedBetween(Instant.parse("2026-12-02T17:59:00Z"), Instant.parse("2026-12-02T18:00:00Z"), UTC));
        assertFalse(c.firedBetween(Instant.parse("2026-12-02T18:00:00Z"), Instant.parse("2026-12-02T18:30:00Z"), UTC));
        assertFalse(c.firedBetween(Instant.parse("2026-12-02T10:00:00Z"), Instant.parse("2026-12-02T17:59:59Z"), UTC));
    }

    @Test
    void anImpossibleDateNeverFires() {
        assertNull(CronExpression.parse("0 0 31 2 *").next(Instant.parse("2026-12-02T00:00:00Z"), UTC));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0 18 * *       | five fields",
                "60 18 * * *    | the minute must be 0-59, got 60",
                "0 18 * 13 *    | the month must be 1-12, got 13",
                "0 18-6 * * *   | runs backwards",
                "0 x * * *      | the hour field 'x' is not a number",
                "'' | five fields",
            })
    void badExpressionsSayWhatIsWrong(String expression, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CronExpression.parse(expression));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
