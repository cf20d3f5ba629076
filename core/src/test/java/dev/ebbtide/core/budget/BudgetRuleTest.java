package dev.ebbtide.core.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.core.budget.BudgetRule.Budget;
import dev.ebbtide.core.budget.BudgetRule.Level;
import dev.ebbtide.core.budget.BudgetRule.Verdict;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetRuleTest {
    private static final Instant DEC = Instant.parse("2026-12-15T10:00:00Z");
    private static final Budget TWO_THOUSAND = new Budget(2000, 0.8);

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of(
                        "no budget: OK whatever the spend", 99_999.0, null, DEC, Level.OK, "team vision has no budget"),
                Arguments.of(
                        "well below the soft limit",
                        100.0,
                        TWO_THOUSAND,
                        DEC,
                        Level.OK,
                        "team vision spent 100.00 USD of its 2,000.00 USD budget for 2026-12"),
                Arguments.of(
                        "just below the soft limit",
                        1599.99,
                        TWO_THOUSAND,
                        DEC,
                        Level.OK,
                        "team vision spent 1,599.99 USD of its 2,000.00 USD budget for 2026-12"),
                Arguments.of(
                        "at the soft limit exactly",
                        1600.0,
                        TWO_THOUSAND,
                        DEC,
                        Level.SOFT,
                        "team vision spent 1,600.00 USD of its 2,000.00 USD budget for 2026-12, past its soft limit"
                                + " of 80 %; new jobs wait once it reaches the budget"),
                Arguments.of(
                        "between soft and hard, with a soft limit of 90 %",
                        1850.0,
                        new Budget(2000, 0.9),
                        DEC,
                        Level.SOFT,
                        "team vision spent 1,850.00 USD of its 2,000.00 USD budget for 2026-12, past its soft limit"
                                + " of 90 %; new jobs wait once it reaches the budget"),
                Arguments.of(
                        "at the budget exactly: hard",
                        2000.0,
                        TWO_THOUSAND,
                        DEC,
                        Level.HARD,
                        "waiting: team vision spent 2,000.00 USD of its 2,000.00 USD budget for 2026-12; new jobs wait"
                                + " until 2027-01-01 or a raise"),
                Arguments.of(
                        "over the budget: hard, the next period is in the next year",
                        2013.40,
                        TWO_THOUSAND,
                        DEC,
                        Level.HARD,
                        "waiting: team vision spent 2,013.40 USD of its 2,000.00 USD budget for 2026-12; new jobs wait"
                                + " until 2027-01-01 or a raise"),
                Arguments.of(
                        "raised budget: the same spend is OK again",
                        2013.40,
                        TWO_THOUSAND.withMonthly(3000),
                        DEC,
                        Level.OK,
                        "team vision spent 2,013.40 USD of its 3,000.00 USD budget for 2026-12"),
                Arguments.of(
                        "raised a little: past the soft limit of the new budget",
                        2013.40,
                        TWO_THOUSAND.withMonthly(2500),
                        DEC,
                        Level.SOFT,
                        "team vision spent 2,013.40 USD of its 2,500.00 USD budget for 2026-12, past its soft limit"
                                + " of 80 %; new jobs wait once it reaches the budget"),
                Arguments.of(
                        "a budget of 0: hard before any spend",
                        0.0,
                        new Budget(0, 0.8),
                        DEC,
                        Level.HARD,
                        "waiting: team vision spent 0.00 USD of its 0.00 USD budget for 2026-12; new jobs wait until"
                                + " 2027-01-01 or a raise"),
                Arguments.of(
                        "the last millisecond of a month still counts to that month",
                        2000.0,
                        TWO_THOUSAND,
                        Instant.parse("2026-11-30T23:59:59.999Z"),
                        Level.HARD,
                        "waiting: team vision spent 2,000.00 USD of its 2,000.00 USD budget for 2026-11; new jobs wait"
                                + " until 2026-12-01 or a raise"),
                Arguments.of(
                        "a new month: the spend counted from its first instant is that month's",
                        0.0,
                        TWO_THOUSAND,
                        Instant.parse("2026-12-01T00:00:00Z"),
                        Level.OK,
                        "team vision spent 0.00 USD of its 2,000.00 USD budget for 2026-12"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void decides(String name, double spent, Budget budget, Instant now, Level level, String reason) {
        Verdict v = BudgetRule.check("vision", spent, budget, "USD", now);
        assertEquals(level, v.level());
        assertEquals(reason, v.reason());
    }

    static Stream<Arguments> periods() {
        return Stream.of(
                Arguments.of("mid-month", "2026-12-15T10:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                Arguments.of("first instant", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                Arguments.of(
                        "last instant", "2026-11-30T23:59:59.999Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                Arguments.of("leap February", "2028-02-29T12:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("periods")
    void countsCalendarMonthsInUtc(String name, String now, String start, String next) {
        assertEquals(Instant.parse(start), BudgetRule.periodStart(Instant.parse(now)));
        assertEquals(Instant.parse(next), BudgetRule.nextPeriod(Instant.parse(now)));
    }

    @Test
    void ratioIsSpendOverBudget() {
        assertEquals(0.5, BudgetRule.check("t", 1000, TWO_THOUSAND, "USD", DEC).ratio(), 1e-9);
        assertEquals(0, BudgetRule.check("t", 1000, null, "USD", DEC).ratio());
        assertEquals(
                Double.POSITIVE_INFINITY,
                BudgetRule.check("t", 1, new Budget(0, 0.8), "USD", DEC).ratio());
    }

    static Stream<Arguments> parses() {
        return Stream.of(
                Arguments.of("empty", "", Map.of()),
                Arguments.of(
                        "two teams with blanks",
                        " vision = 2000 , nlp=500.5 ,",
                        Map.of("vision", new Budget(2000, 0.8), "nlp", new Budget(500.5, 0.8))),
                Arguments.of("zero", "frozen=0", Map.of("frozen", new Budget(0, 0.8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parses")
    void parsesBudgets(String name, String value, Map<String, Budget> expected) {
        assertEquals(expected, BudgetRule.parseBudgets(value, 0.8));
    }

    static Stream<Arguments> refuses() {
        return Stream.of(
                Arguments.of("no amount", "vision", "team budget 'vision' is not team=amount"),
                Arguments.of("negative", "vision=-1", "team budget 'vision=-1' is not team=amount"),
                Arguments.of("not a number", "vision=lots", "team budget 'vision=lots' is not team=amount"),
                Arguments.of("twice", "vision=1,vision=2", "team 'vision' has two budgets"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refuses")
    void refusesBadBudgetsInOneSentence(String name, String value, String start) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BudgetRule.parseBudgets(value, 0.8));
        assertEquals(true, e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void refusesASoftLimitOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Budget(100, 0));
        assertThrows(IllegalArgumentException.class, () -> new Budget(100, 1.5));
        assertThrows(IllegalArgumentException.class, () -> BudgetRule.check("t", -1, TWO_THOUSAND, "USD", DEC));
    }
}
