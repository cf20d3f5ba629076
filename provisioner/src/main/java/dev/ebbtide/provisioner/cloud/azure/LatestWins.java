package dev.ebbtide.provisioner.cloud.azure;

import java.util.function.Consumer;

/**
 * Coalesces one scale set's writes: while a write is in flight (or waiting for ARM's budget), further requests only
 * replace the pending value; when the write ends, one call sends the latest value for all of them. A caller returns
 * once a write that carried its value or a later one has ended (and sees that write's failure, if any). So a cluster
 * whose target changes three times while ARM throttles costs one more call, not three.
 *
 * @param <T> what is written (a scale set's capacity with the ETag it was read with)
 */
final class LatestWins<T> {

    private T pending;
    /** The order of the newest value submitted (requests are ordered by when they were issued). */
    private long newestOrder = Long.MIN_VALUE;

    private long requested;
    private long done;
    private boolean busy;
    private RuntimeException lastFailure;
    private long lastFailureSeq;
    private long calls;
    private long coalesced;
    private int waiting;

    /**
     * Writes {@code value} (or a later one) through {@code send}; blocks until that write has ended. The caller that
     * sends first runs {@code ready} (waiting for the write budget), and only then takes the latest value. {@code order}
     * says which request is newer (when it was issued): a value older than one already submitted is dropped.
     */
    void submit(long order, T value, Runnable ready, Consumer<T> send) {
        long mine;
        synchronized (this) {
            if (order < newestOrder) {
                coalesced++; // a newer request's value is pending or written: this one is out of date
                return;
            }
            newestOrder = order;
            mine = ++requested;
            pending = value;
            while (true) {
                if (done >= mine) {
                    coalesced++;
                    if (lastFailure != null && lastFailureSeq >= mine) {
                        throw lastFailure;
                    }
                    return;
                }
                if (!busy) {
                    busy = true;
                    break;
                }
                waiting++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the scale set's write in flight", e);
                } finally {
                    waiting--;
                }
            }
        }
        RuntimeException failure = null;
        long sending = mine;
        try {
            ready.run();
            T toSend;
            synchronized (this) {
                toSend = pending;
                sending = requested;
                calls++;
            }
            send.accept(toSend);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            synchronized (this) {
                busy = false;
                done = sending;
                lastFailure = failure;
                lastFailureSeq = failure == null ? 0 : sending;
                notifyAll();
            }
        }
    }

    /** Callers waiting for the write in flight to end. */
    synchronized int waiting() {
        return waiting;
    }

    /** Writes sent so far. */
    synchronized long calls() {
        return calls;
    }

    /** Requests that were carried by another request's write. */
    synchronized long coalesced() {
        return coalesced;
    }
}
