package dev.ebbtide.core.budget;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A team's spend budget for a calendar month, checked against what it spent in that month. Pure: the spend and
 * {@code now} are inputs.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Period.</b> A budget is per calendar month in UTC: the month of {@code now}, from its first instant to the
 *       first instant of the next month. Spend is the estimated cost of the team's node time in that month (usage,
 *       docs/usage.md); a new month starts from zero.</li>
 *   <li><b>Hard limit.</b> A team that spent its whole budget or more ({@code spent >= monthly}) is {@link Level#HARD}:
 *       its new jobs wait until the next month or a raise; jobs already running go on. A budget of 0 is always at its
 *       hard limit.</li>
 *   <li><b>Soft limit.</b> Below that, a team that spent {@code softLimit × monthly} or more is {@link Level#SOFT}: a
 *       warning and a metric, nothing waits.</li>
 *   <li><b>No budget</b> ({@code null}): {@link Level#OK}, whatever the spend.</li>
 * </ol>
 */
public final class BudgetRule {
    /** The soft limit when none is configured: 80 % of the budget. */
    public static final double DEFAULT_SOFT_LIMIT = 0.8;

    private BudgetRule() {}

    public enum Level {
        OK,
        SOFT,
        HARD
    }

    /**
     * A monthly budget.
     *
     * @param monthly   the most the team may spend in a calendar month, in the price table's currency; at least 0
     * @param softLimit the fraction of {@code monthly} at which the team is at its soft limit, in (0, 1]
     */
    public record Budget(double monthly, double softLimit) {
        public Budget {
            if (!(monthly >= 0) || Double.isInfinite(monthly)) {
                throw new IllegalArgumentException("a monthly budget must be a number of at least 0, not " + monthly);
            }
            if (!(softLimit > 0 && softLimit <= 1)) {
                throw new IllegalArgumentException(
                        "a soft limit must be a fraction above 0 and at most 1, not " + softLimit);
            }
        }

        /** The same budget raised (or lowered) to {@code monthly}. */
        public Budget withMonthly(double monthly) {
            return new Budget(monthly, softLimit);
        }
    }

    /**
     * What the rule decided.
     *
     * @param team   the team
     * @param level  OK, SOFT or HARD
     * @param spent  what the team spent in {@code period}
     * @param budget its budget ({@code null}: none)
     * @param period the calendar month (UTC) counted
     * @param reason one sentence: for HARD the reason its jobs wait, for SOFT the warning, for OK where it stands
     */
    public record Verdict(String team, Level level, double spent, Budget budget, YearMonth period, String reason) {
        /** {@code spent / monthly}: 0 without a budget, infinite for a spend against a budget of 0. */
        public double ratio() {
            if (budget == null) {
                return 0;
            }
            if (budget.monthly() == 0) {
                return spent > 0 ? Double.POSITIVE_INFINITY : 1;
            }
            return spent / budget.monthly();
        }
    }

    /** The calendar month (UTC) {@code now} falls in. */
    public static YearMonth period(Instant now) {
        return YearMonth.from(now.atZone(ZoneOffset.UTC));
    }

    /** The first instant of {@code now}'s month (UTC): spend is counted from here. */
    public static Instant periodStart(Instant now) {
        return period(now).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The first instant of the month after {@code now}'s (UTC): when a team at its hard limit starts again. */
    public static Instant nextPeriod(Instant now) {
        return period(now).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * Checks a team's spend in {@code now}'s month against its budget.
     *
     * @param team     the team
     * @param spent    what it spent from {@link #periodStart(Instant)} to {@code now} (at least 0)
     * @param budget   its budget, or {@code null} for none
     * @param currency the price table's currency, for the sentence
     * @param now      the decision time
     */
    public static Verdict check(String team, double spent, Budget budget, String currency, Instant now) {
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(now, "now");
        if (!(spent >= 0)) {
            throw new IllegalArgumentException("spend must be at least 0, not " + spent);
        }
        YearMonth period = period(now);
        if (budget == null) {
            return new Verdict(team, Level.OK, spent, null, period, "team " + team + " has no budget");
        }
        String standing = "team " + team + " spent " + money(spent, currency) + " of its "
                + money(budget.monthly(), currency) + " budget for " + period;
        if (spent >= budget.monthly()) {
            return new Verdict(
                    team,
                    Level.HARD,
                    spent,
                    budget,
                    period,
                    "waiting: " + standing + "; new jobs wait until "
                            + period.plusMonths(1).atDay(1) + " or a raise");
        }
        if (spent >= budget.softLimit() * budget.monthly()) {
            return new Verdict(
                    team,
                    Level.SOFT,
                    spent,
                    budget,
                    period,
                    standing + ", past its soft limit of " + percent(budget.softLimit())
                            + "; new jobs wait once it reaches the budget");
        }
        return new Verdict(team, Level.OK, spent, budget, period, standing);
    }

    /**
     * Parses {@code team=amount} pairs separated by commas, e.g. {@code vision=2000,nlp=500.50}; blanks around items
     * are ignored, an empty or blank value is no budgets.
     *
     * @throws IllegalArgumentException with one sentence naming the bad item
     */
    public static Map<String, Budget> parseBudgets(String value, double softLimit) {
        Map<String, Budget> budgets = new TreeMap<>();
        if (value == null || value.isBlank()) {
            return budgets;
        }
        for (String item : value.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            String team = eq < 0 ? "" : s.substring(0, eq).trim();
            double amount;
            try {
                amount = eq < 0
                        ? Double.NaN
                        : Double.parseDouble(s.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                amount = Double.NaN;
            }
            if (team.isEmpty() || !(amount >= 0) || Double.isInfinite(amount)) {
                throw new IllegalArgumentException(
                        "team budget '" + s + "' is not team=amount with an amount of at least 0 (e.g. vision=2000)");
            }
            if (budgets.put(team, new Budget(amount, softLimit)) != null) {
                throw new IllegalArgumentException("team '" + team + "' has two budgets");
            }
        }
        return budgets;
    }

    /** {@code 2,013.40 USD}: two decimals, thousands grouped. */
    static String money(double amount, String currency) {
        String n = String.format(Locale.ROOT, "%,.2f", amount);
        return currency == null || currency.isBlank() ? n : n + " " + currency;
    }

    private static String percent(double fraction) {
        double p = fraction * 100;
        return (p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p)) + " %";
    }
}
