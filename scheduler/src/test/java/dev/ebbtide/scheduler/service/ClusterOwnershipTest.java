package dev.ebbtide.scheduler.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.messaging.ownership.Ownership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Revocation and work in flight, without a broker: the rebalance thread is a plain thread here. */
class ClusterOwnershipTest {
    private static final String CLUSTER = "gpu-a";

    private static ClusterOwnership owning(Ownership ownership) {
        ClusterOwnership o = new ClusterOwnership();
        o.ownership = ownership;
        o.index = new QueueIndex();
        o.index.ownership = ownership;
        o.clusterWait = new ClusterWait();
        o.registry = new SimpleMeterRegistry();
        o.init();
        return o;
    }

    @Test
    void revocationReturnsOnlyOnceTheWorkInFlightHasFinished() {
        Ownership ownership = new Ownership("scheduler-1", 6);
        ownership.assigned(Set.of(0, 1, 2, 3, 4, 5), 6);
        ClusterOwnership o = owning(ownership);
        CompletableFuture<Void> commit = new CompletableFuture<>();
        AtomicBoolean ownedWhenStarted = new AtomicBoolean();
        CompletableFuture<Void> batch = o.acting(() -> {
                    ownedWhenStarted.set(o.owns(CLUSTER));
                    return Uni.createFrom().completionStage(commit); // a transaction that has not committed yet
                })
                .subscribeAsCompletionStage()
                .toCompletableFuture();

        int partition = ownership.partitionOf(CLUSTER);
        CompletableFuture<Void> rebalance = CompletableFuture.runAsync(() -> ownership.revoked(Set.of(partition)));
        await().atMost(Duration.ofSeconds(5)).until(() -> !o.owns(CLUSTER)); // nothing new starts for it at once
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !rebalance.isDone());

        commit.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(rebalance::isDone);
        assertTrue(batch.isDone());
        assertTrue(ownedWhenStarted.get(), "the batch started while the partition was owned");
        assertEquals(
                1.0 * 5,
                o.registry.get("ebbtide_scheduler_owned_partitions").gauge().value());
    }

    @Test
    void workThatStartsAfterARevocationSeesTheClusterGone() {
        Ownership ownership = new Ownership("scheduler-1", 6);
        ownership.assigned(Set.of(0, 1, 2, 3, 4, 5), 6);
        ClusterOwnership o = owning(ownership);
        ownership.revoked(Set.of(ownership.partitionOf(CLUSTER))); // nothing in flight: returns at once
        AtomicBoolean owned = new AtomicBoolean(true);
        o.acting(() -> {
                    owned.set(o.owns(CLUSTER));
                    return Uni.createFrom().voidItem();
                })
                .await()
                .atMost(Duration.ofSeconds(1));
        assertFalse(owned.get());
    }

    @Test
    void aFailedOrCanceledPieceOfWorkIsNoLongerWaitedFor() {
        InFlight inFlight = new InFlight();
        inFlight.run(() -> Uni.createFrom().failure(new IllegalStateException("boom")))
                .subscribe()
                .with(x -> {}, e -> {});
        CompletableFuture<Void> never = new CompletableFuture<>();
        inFlight.run(() -> Uni.createFrom().completionStage(never))
                .subscribe()
                .with(x -> {})
                .cancel();
        assertEquals(0, inFlight.running());
        assertTrue(inFlight.awaitIdle(Duration.ZERO));
    }

    @Test
    void theWaitIsBounded() {
        InFlight inFlight = new InFlight();
        inFlight.enter();
        assertFalse(inFlight.awaitIdle(Duration.ofMillis(50)), "still running after the bound: the caller is told");
        inFlight.leave();
        assertTrue(inFlight.awaitIdle(Duration.ofMillis(50)));
    }
}
