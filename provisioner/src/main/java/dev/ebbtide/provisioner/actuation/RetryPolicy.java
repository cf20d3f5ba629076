package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How to react to one classified cloud failure, by error class:
 * <ul>
 * <li>throttled: wait Retry-After, then retry (up to {@code maxAttempts}); a wait longer than
 *     {@code maxInlineWait} becomes a cluster backoff of at least that long instead of a blocked thread;</li>
 * <li>transient: retry after {@code transientBase × 2^(attempt−1)} plus up to 50 % jitter;</li>
 * <li>conflict (409 / 412): re-read and retry once, at once;</li>
 * <li>preempted (a newer operation won): retry, at once;</li>
 * <li>quota exceeded, capacity unavailable, not found, unknown: no retry; back off the cluster.</li>
 * </ul>
 * Pure: the randomness is injected.
 */
public final class RetryPolicy {

    /**
     * @param retry          whether to try again
     * @param delay          how long to wait first (when {@code retry})
     * @param backoffAtLeast when giving up, the minimum cluster backoff (the cloud's Retry-After), else null
     */
    public record Decision(boolean retry, Duration delay, Duration backoffAtLeast) {
        static Decision retryAfter(Duration delay) {
            return new Decision(true, delay, null);
        }

        static Decision giveUp(Duration backoffAtLeast) {
            return new Decision(false, Duration.ZERO, backoffAtLeast);
        }
    }

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_MAX_INLINE_WAIT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TRANSIENT_BASE = Duration.ofSeconds(1);
    /** Used when a throttling answer carries no Retry-After (Azure says every one does). */
    public static final Duration DEFAULT_THROTTLE_WAIT = Duration.ofSeconds(30);

    private final int maxAttempts;
    private final Duration maxInlineWait;
    private final Duration transientBase;
    private final RandomGenerator random;

    public RetryPolicy(RandomGenerator random) {
        this(DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_INLINE_WAIT, DEFAULT_TRANSIENT_BASE, random);
    }

    public RetryPolicy(int maxAttempts, Duration maxInlineWait, Duration transientBase, RandomGenerator random) {
        this.maxAttempts = maxAttempts;
        this.maxInlineWait = maxInlineWait;
        this.transientBase = transientBase;
        this.random = random;
    }

    /** @param attempt how many attempts have been made, including the one that just failed (1 = first) */
    public Decision decide(CloudException failure, int attempt) {
        boolean attemptsLeft = attempt < maxAttempts;
        return switch (failure.errorClass()) {
            case THROTTLED -> {
                Duration wait = failure.retryAfter() != null ? failure.retryAfter() : DEFAULT_THROTTLE_WAIT;
                yield attemptsLeft && wait.compareTo(maxInlineWait) <= 0
                        ? Decision.retryAfter(wait)
                        : Decision.giveUp(wait);
            }
            case TRANSIENT -> {
                if (!attemptsLeft) {
                    yield Decision.giveUp(failure.retryAfter());
                }
                Duration base = transientBase.multipliedBy(1L << Math.min(attempt - 1, 20));
                long jitterMillis = (long) (base.toMillis() * 0.5 * random.nextDouble());
                Duration wait = base.plusMillis(jitterMillis);
                if (failure.retryAfter() != null && failure.retryAfter().compareTo(wait) > 0) {
                    wait = failure.retryAfter();
                }
                yield Decision.retryAfter(wait);
            }
            case CONFLICT -> attempt == 1 ? Decision.retryAfter(Duration.ZERO) : Decision.giveUp(null);
            case PREEMPTED -> attemptsLeft ? Decision.retryAfter(Duration.ZERO) : Decision.giveUp(null);
            case QUOTA_EXCEEDED, CAPACITY_UNAVAILABLE, NOT_FOUND, UNKNOWN, NONE ->
                Decision.giveUp(failure.retryAfter());
        };
    }
}
