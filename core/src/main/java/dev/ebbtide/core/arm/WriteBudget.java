package dev.ebbtide.core.arm;

import java.time.Duration;
import java.time.Instant;

/**
 * A client's picture of a cloud's write budget (Azure Resource Manager: a token bucket per subscription, 200 writes,
 * refilled at 10 per second) and the one rule of when the next write may go. Pure: every method takes the time.
 *
 * <p>The picture is an estimate: it refills as the bucket does, spends a token per write sent, and yields to what the
 * server says ({@code x-ms-ratelimit-remaining-subscription-writes}, never raised above the local estimate) and to a
 * 429's {@code Retry-After} (no write before it ends). So calls are spread at the refill rate once the bucket runs
 * low, instead of running into 429s.
 *
 * @param capacity        the bucket's size (tokens when full)
 * @param refillPerSecond tokens added per second, up to {@code capacity}
 * @param tokens          tokens believed left at {@code at}
 * @param at              when {@code tokens} was true
 * @param notBefore       no write before this instant (a 429's Retry-After); null when none
 */
public record WriteBudget(int capacity, double refillPerSecond, double tokens, Instant at, Instant notBefore) {

    /** Azure Resource Manager's subscription write bucket (request-limits-and-throttling, 2024 token bucket). */
    public static final int ARM_WRITE_CAPACITY = 200;

    public static final double ARM_WRITE_REFILL_PER_SECOND = 10.0;

    public WriteBudget {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("a budget needs capacity >= 1 and refill > 0");
        }
    }

    /** A full bucket at {@code now}. */
    public static WriteBudget full(int capacity, double refillPerSecond, Instant now) {
        return new WriteBudget(capacity, refillPerSecond, capacity, now, null);
    }

    /** The budget as it stands at {@code now}: refilled for the time since {@link #at}, never above capacity. */
    public WriteBudget at(Instant now) {
        if (!now.isAfter(at)) {
            return this;
        }
        double seconds = Duration.between(at, now).toNanos() / 1e9;
        return new WriteBudget(
                capacity, refillPerSecond, Math.min(capacity, tokens + seconds * refillPerSecond), now, notBefore);
    }

    /**
     * When the next write may go: {@code now} if a whole token is left and no Retry-After runs, else the later of
     * the Retry-After's end and the instant the bucket holds one whole token again.
     */
    public Instant nextWriteAt(Instant now) {
        WriteBudget b = at(now);
        Instant byTokens =
                b.tokens >= 1.0 ? now : now.plusNanos((long) Math.ceil((1.0 - b.tokens) / refillPerSecond * 1e9));
        return notBefore != null && notBefore.isAfter(byTokens) ? notBefore : byTokens;
    }

    /** The wait before the next write, from {@code now}: zero when it may go at once. */
    public Duration waitBeforeWrite(Instant now) {
        return Duration.between(now, nextWriteAt(now));
    }

    /** One write was sent at {@code now}: one token spent (the estimate may go below zero if calls raced). */
    public WriteBudget spent(Instant now) {
        WriteBudget b = at(now);
        return new WriteBudget(capacity, refillPerSecond, b.tokens - 1.0, now, notBefore);
    }

    /** {@link #observed(long, int, Instant)} with no other write in flight. */
    public WriteBudget observed(long remaining, Instant now) {
        return observed(remaining, 0, now);
    }

    /**
     * The server said how many writes remain (the response to a write), while {@code othersInFlight} writes this
     * client sent are still unanswered (the server may not have counted them yet): the estimate takes
     * {@code remaining − othersInFlight} when it is lower (other clients of the subscription spend the same bucket);
     * a higher count is not trusted beyond the estimate.
     */
    public WriteBudget observed(long remaining, int othersInFlight, Instant now) {
        WriteBudget b = at(now);
        return new WriteBudget(
                capacity, refillPerSecond, Math.min(b.tokens, (double) remaining - othersInFlight), now, notBefore);
    }

    /**
     * The server answered 429: the bucket is empty, and no write goes before {@code retryAfter} has passed (null: a
     * token's refill time).
     */
    public WriteBudget throttled(Duration retryAfter, Instant now) {
        Duration wait = retryAfter != null ? retryAfter : Duration.ofNanos((long) Math.ceil(1e9 / refillPerSecond));
        Instant until = now.plus(wait);
        Instant later = notBefore != null && notBefore.isAfter(until) ? notBefore : until;
        return new WriteBudget(capacity, refillPerSecond, Math.min(0.0, at(now).tokens), now, later);
    }

    /** Whole tokens believed left at {@code now} (what the remaining-writes gauge shows). */
    public long remaining(Instant now) {
        return (long) Math.floor(Math.max(0.0, at(now).tokens));
    }

    /** The shortest time this bucket allows for {@code writes} writes starting full: (writes − capacity) / refill. */
    public static Duration ceiling(int writes, int capacity, double refillPerSecond) {
        double seconds = Math.max(0, writes - capacity) / refillPerSecond;
        return Duration.ofNanos((long) Math.ceil(seconds * 1e9));
    }
}
