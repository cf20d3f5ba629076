package dev.ebbtide.scheduler.service;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Counts the work acting for clusters that is running now (a batch's transaction, a cluster-wait check, a cancel), so
 * a revocation can wait until none is left before the partitions go to another instance. Each piece of work checks
 * ownership after it has entered ({@link #run}): work that entered before a revocation is waited for, work that
 * enters after it sees the partitions gone. Plain Java; thread-safe.
 */
final class InFlight {
    private int running;

    /** Runs {@code work} (subscribed lazily) counted from its subscription to its end, failure or cancellation. */
    <T> Uni<T> run(Supplier<Uni<T>> work) {
        return Uni.createFrom()
                .deferred(() -> {
                    enter();
                    return work.get();
                })
                .onTermination()
                .invoke(this::leave);
    }

    synchronized void enter() {
        running++;
    }

    synchronized void leave() {
        if (--running == 0) {
            notifyAll();
        }
    }

    synchronized int running() {
        return running;
    }

    /**
     * Blocks (never on an event loop: the Kafka polling thread of a rebalance) until nothing is running, at most
     * {@code max}.
     *
     * @return whether nothing is running
     */
    synchronized boolean awaitIdle(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
