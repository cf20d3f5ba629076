package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Status;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler's rules, on an in-memory pool. */
class ScaleRequestHandlerTest {

    final Actuation a = new Actuation();
    final InMemoryNodePool pool = new InMemoryNodePool("gpu", a.clock);

    ScaleRequestHandler.Outcome handle(String id, int target, String... remove) {
        return a.handler.handle(
                new ScaleRequested(id, "gpu", target, List.of(remove), List.of(), Instant.EPOCH), pool, n -> true);
    }

    @Test
    void countsOnlyLiveNodesTowardsTheTarget() {
        pool.put("gpu-failed", CloudNodeStatus.FAILED);
        pool.put("gpu-leaving", CloudNodeStatus.DELETING);
        pool.put("gpu-ready", CloudNodeStatus.READY);
        handle("r1", 3);
        assertEquals(List.of("increaseSize 2"), pool.calls);
    }

    @Test
    void deletesStillHappenWhileTheClusterBacksOff() {
        pool.put("gpu-a", CloudNodeStatus.READY);
        pool.failures.add(new CloudException(ErrorClass.QUOTA_EXCEEDED, "quota"));
        assertEquals(Status.FAILED, handle("r1", 3).status());
        pool.calls.clear();

        ScaleRequestHandler.Outcome o = handle("r2", 2, "gpu-a");
        assertEquals(Status.BACKING_OFF, o.status());
        assertEquals(List.of("gpu-a"), o.removed());
        assertEquals(List.of("deleteNodes [gpu-a]"), pool.calls, "no increase while backing off");
        assertEquals("quota_exceeded", o.reason().code());
        assertEquals(a.backoff.active("gpu").orElseThrow().until(), o.backoffUntil());
    }

    @Test
    void aScaleDownOnlyRequestIsNotHeldByABackoff() {
        pool.put("gpu-a", CloudNodeStatus.READY);
        pool.put("gpu-b", CloudNodeStatus.READY);
        pool.failures.add(new CloudException(ErrorClass.CAPACITY_UNAVAILABLE, "no capacity"));
        handle("r1", 3);
        assertEquals(Status.APPLIED, handle("r2", 1, "gpu-b").status());
    }

    @Test
    void theBackoffEndsWithTheFirstSuccessfulScaleUp() {
        Instant t0 = a.clock.instant();
        pool.failures.add(new CloudException(ErrorClass.CAPACITY_UNAVAILABLE, "no capacity"));
        handle("r1", 1);
        a.clock.advance(Duration.ofSeconds(30));
        ScaleRequestHandler.Outcome o = handle("r2", 1);
        assertEquals(Status.APPLIED, o.status());
        assertEquals(List.of("gpu-0"), o.added());
        assertEquals(
                List.of(
                        "cloudError gpu CAPACITY_UNAVAILABLE",
                        "backoffStarted gpu CAPACITY_UNAVAILABLE until " + t0.plusSeconds(30) + " capacity_unavailable",
                        "backoffEnded gpu",
                        "nodesRequested gpu [gpu-0] r2"),
                a.events.all);
    }

    @Test
    void aFailedDeleteIsReportedAndCountedButStartsNoBackoff() {
        pool.put("gpu-a", CloudNodeStatus.READY);
        pool.failures.add(new CloudException(ErrorClass.UNKNOWN, "refused"));
        ScaleRequestHandler.Outcome o = handle("r1", 0, "gpu-a");
        assertEquals(Status.FAILED, o.status());
        assertEquals(ErrorClass.UNKNOWN, o.error());
        assertEquals(1.0, a.metrics.cloudErrors("gpu", ErrorClass.UNKNOWN));
        assertEquals(true, a.backoff.active("gpu").isEmpty());
    }
}
