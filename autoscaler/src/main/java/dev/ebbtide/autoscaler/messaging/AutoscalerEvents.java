package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.messaging.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** What the autoscaler publishes: scale requests, and cluster definitions (it owns the compacted clusters topic). */
@ApplicationScoped
public class AutoscalerEvents {
    @Inject
    @Channel("scale-requests")
    Emitter<String> scaleRequests;

    @Inject
    @Channel("clusters-out")
    Emitter<String> clusters;

    /** Scale requests handed to the emitter and not yet acknowledged by the broker (or failed). */
    private final AtomicInteger unsent = new AtomicInteger();

    public void scaleRequested(ScaleRequested event) {
        unsent.incrementAndGet();
        try {
            scaleRequests.send(KafkaMessages.keyed(event.cluster(), EventJson.write(event))
                    .withAck(() -> sent(null))
                    .withNack(this::sent));
        } catch (RuntimeException e) {
            sent(e);
            throw e;
        }
    }

    private CompletionStage<Void> sent(Throwable failure) {
        synchronized (unsent) {
            unsent.decrementAndGet();
            unsent.notifyAll();
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Waits (at most {@code timeout}) until every scale request sent so far is on the broker: on revocation, so the
     * next owner of a cluster starts after this instance's last request. True if none is left.
     */
    public boolean awaitSent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (unsent) {
            while (unsent.get() > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                unsent.wait(left);
            }
        }
        return true;
    }

    public void clusterDefined(ClusterDefined event) {
        send(clusters, event.spec().name(), EventJson.write(event));
    }

    private static void send(Emitter<String> emitter, String key, String json) {
        emitter.send(KafkaMessages.keyed(key, json));
    }
}
