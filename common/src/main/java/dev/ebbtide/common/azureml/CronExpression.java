package dev.ebbtide.common.azureml;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A five-field cron expression as Azure ML's compute schedules take it: {@code minute hour day-of-month month
 * day-of-week}, each {@code *}, a number, a range {@code a-b}, a list {@code a,b} or a step {@code * / n},
 * {@code a-b/n}; day of week 0-7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a day matching
 * either one matches. Pure: the time is always given.
 */
public final class CronExpression {
    private static final int[][] RANGES = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
    private static final String[] NAMES = {"minute", "hour", "day of month", "month", "day of week"};
    /** A year of minutes: an expression that matches nothing in it (e.g. 31 February) never fires. */
    private static final long SEARCH_MINUTES = 366L * 24 * 60;

    private final String text;
    private final BitSet[] fields = new BitSet[5];
    private final boolean domAny;
    private final boolean dowAny;

    private CronExpression(String text) {
        this.text = text;
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("a cron expression has five fields (minute hour day-of-month month "
                    + "day-of-week), got " + (text.isBlank() ? 0 : parts.length));
        }
        for (int i = 0; i < 5; i++) {
            fields[i] = field(parts[i], i);
        }
        if (fields[4].get(7)) {
            fields[4].set(0);
        }
        domAny = parts[2].equals("*");
        dowAny = parts[4].equals("*");
    }

    /** @throws IllegalArgumentException with one sentence when the expression is not valid */
    public static CronExpression parse(String text) {
        return new CronExpression(text == null ? "" : text);
    }

    /** Whether the expression fires at this minute (seconds ignored). */
    public boolean matches(ZonedDateTime t) {
        boolean dom = fields[2].get(t.getDayOfMonth());
        boolean dow = fields[4].get(t.getDayOfWeek().getValue() % 7);
        boolean day = domAny || dowAny ? dom && dow : dom || dow;
        return fields[0].get(t.getMinute()) && fields[1].get(t.getHour()) && fields[3].get(t.getMonthValue()) && day;
    }

    /** The first minute after {@code after} (exclusive) at which it fires, in {@code zone}; null if none within a year. */
    public Instant next(Instant after, ZoneId zone) {
        ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        for (long i = 0; i < SEARCH_MINUTES; i++, t = t.plusMinutes(1)) {
            if (matches(t)) {
                return t.toInstant();
            }
        }
        return null;
    }

    /** Whether it fired in {@code (from, to]}; looks only at the minutes in between (cheap for frequent calls). */
    public boolean firedBetween(Instant from, Instant to, ZoneId zone) {
        ZonedDateTime t = from.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        for (long i = 0; i < SEARCH_MINUTES && !t.toInstant().isAfter(to); i++, t = t.plusMinutes(1)) {
            if (matches(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    private static BitSet field(String part, int index) {
        int lo = RANGES[index][0];
        int hi = RANGES[index][1];
        BitSet bits = new BitSet(hi + 1);
        for (String item : part.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), index, 1, hi);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = lo;
                to = hi;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", -1);
                if (ab.length != 2) {
                    throw bad(item, index);
                }
                from = number(ab[0], index, lo, hi);
                to = number(ab[1], index, lo, hi);
                if (from > to) {
                    throw new IllegalArgumentException("the " + NAMES[index] + " range '" + range + "' runs backwards");
                }
            } else {
                from = number(range, index, lo, hi);
                to = slash >= 0 ? hi : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String s, int index, int lo, int hi) {
        if (!s.matches("\\d{1,2}")) {
            throw bad(s, index);
        }
        int v = Integer.parseInt(s);
        if (v < lo || v > hi) {
            throw new IllegalArgumentException("the " + NAMES[index] + " must be " + lo + "-" + hi + ", got " + v);
        }
        return v;
    }

    private static IllegalArgumentException bad(String s, int index) {
        return new IllegalArgumentException(
                "the " + NAMES[index] + " field '" + s + "' is not a number, range, list " + "or step");
    }
}
