package dev.ebbtide.provisioner.cloud.azure;

import dev.ebbtide.core.arm.WriteBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscription's write budget on the client side: every ARM write (PUT, PATCH, POST, DELETE) waits its turn here
 * ({@link WriteBudget#nextWriteAt}, the pure rule) and the answers feed it back: the
 * {@code x-ms-ratelimit-remaining-subscription-writes} header lowers the estimate, a 429's {@code Retry-After} holds
 * every write back until it ends. Writers go one at a time in arrival order (a fair lock), so calls are spread at the
 * refill rate once the bucket runs low instead of running into 429s.
 *
 * <p>Meters: {@code ebbtide_azure_writes_remaining{subscription}} (the last remaining-writes count Azure sent, else
 * the estimate) and {@code ebbtide_azure_throttled_total{subscription}} (429s received).
 */
public final class ArmWriteLimiter {

    /** Micrometer name; Prometheus shows it as {@code ebbtide_azure_writes_remaining{subscription}}. */
    public static final String WRITES_REMAINING = "ebbtide.azure.writes.remaining";

    /** Micrometer name; Prometheus shows it as {@code ebbtide_azure_throttled_total{subscription}}. */
    public static final String THROTTLED = "ebbtide.azure.throttled";

    /** Waits; tests advance a clock instead. */
    @FunctionalInterface
    public interface Pause {
        Pause SYSTEM = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));

        void pause(Duration d) throws InterruptedException;
    }

    private final Clock clock;
    private final Pause pause;
    private final ReentrantLock turn = new ReentrantLock(true);
    private final Object state = new Object();
    private WriteBudget budget;
    /** Writes sent and not answered yet (guarded by {@code state}). */
    private int inFlight;

    private final AtomicLong lastRemaining = new AtomicLong(-1);
    private final Counter throttled;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong waitedNanos = new AtomicLong();
    private volatile boolean pausing;

    public ArmWriteLimiter(
            String subscription,
            int capacity,
            double refillPerSecond,
            Clock clock,
            Pause pause,
            MeterRegistry registry) {
        this.clock = clock;
        this.pause = pause;
        this.budget = WriteBudget.full(capacity, refillPerSecond, clock.instant());
        Gauge.builder(WRITES_REMAINING, this, ArmWriteLimiter::remaining)
                .description("Writes Azure Resource Manager still allows the subscription now (its "
                        + "x-ms-ratelimit-remaining-subscription-writes, else Ebbtide's estimate); tag: subscription")
                .tag("subscription", subscription)
                .register(registry);
        this.throttled = Counter.builder(THROTTLED)
                .description("Requests Azure Resource Manager answered 429 (throttled); tag: subscription")
                .tag("subscription", subscription)
                .register(registry);
    }

    /** ARM's own subscription write bucket: 200 writes, 10 more per second. */
    public static ArmWriteLimiter arm(String subscription, Clock clock, MeterRegistry registry) {
        return new ArmWriteLimiter(
                subscription,
                WriteBudget.ARM_WRITE_CAPACITY,
                WriteBudget.ARM_WRITE_REFILL_PER_SECOND,
                clock,
                Pause.SYSTEM,
                registry);
    }

    /**
     * Blocks until this write may go, then spends a token for it. Writers are served in arrival order; the one at the
     * head waits until {@link WriteBudget#nextWriteAt} (re-asked after each wait: a 429 meanwhile moves it).
     */
    public void awaitTurn() throws InterruptedException {
        turn.lockInterruptibly();
        try {
            while (true) {
                Duration wait;
                synchronized (state) {
                    wait = budget.waitBeforeWrite(clock.instant());
                    if (wait.isZero() || wait.isNegative()) {
                        budget = budget.spent(clock.instant());
                        writes.incrementAndGet();
                        inFlight++;
                        return;
                    }
                }
                waitedNanos.addAndGet(wait.toNanos());
                pausing = true;
                try {
                    pause.pause(wait);
                } finally {
                    pausing = false;
                }
            }
        } finally {
            turn.unlock();
        }
    }

    /**
     * Blocks until a write could go now, without spending a token (a caller that then takes the latest of several
     * pending values to write); the write itself still waits its turn in {@link #awaitTurn}.
     */
    public void awaitReady() throws InterruptedException {
        turn.lockInterruptibly();
        try {
            while (true) {
                Duration wait;
                synchronized (state) {
                    wait = budget.waitBeforeWrite(clock.instant());
                }
                if (wait.isZero() || wait.isNegative()) {
                    return;
                }
                waitedNanos.addAndGet(wait.toNanos());
                pausing = true;
                try {
                    pause.pause(wait);
                } finally {
                    pausing = false;
                }
            }
        } finally {
            turn.unlock();
        }
    }

    /**
     * Azure answered a write (every write that {@link #awaitTurn} let through must be answered once, or failed with
     * status 0): its remaining-writes count (null when absent) and whether it was a 429.
     */
    public void answered(int status, Long remainingWrites, Duration retryAfter) {
        synchronized (state) {
            inFlight = Math.max(0, inFlight - 1);
            if (remainingWrites != null) {
                budget = budget.observed(remainingWrites, inFlight, clock.instant());
                lastRemaining.set(remainingWrites);
            }
            if (status == 429) {
                budget = budget.throttled(retryAfter, clock.instant());
                lastRemaining.set(0);
            }
        }
        if (status == 429) {
            throttled.increment();
        }
    }

    /** A 429 on a read: counted; reads have their own bucket, so writes are not held back. */
    public void readThrottled() {
        throttled.increment();
    }

    /** What the gauge shows: Azure's last count when it sent one, else the estimate. */
    public double remaining() {
        long last = lastRemaining.get();
        if (last >= 0) {
            return last;
        }
        synchronized (state) {
            return budget.remaining(clock.instant());
        }
    }

    /** Whether a writer is waiting for the budget now. */
    public boolean pausing() {
        return pausing;
    }

    /** Writes let through so far. */
    public long writes() {
        return writes.get();
    }

    /** 429s received so far. */
    public double throttledCount() {
        return throttled.count();
    }

    /** Total time writers waited for their turn at the head of the line. */
    public Duration waited() {
        return Duration.ofNanos(waitedNanos.get());
    }
}
