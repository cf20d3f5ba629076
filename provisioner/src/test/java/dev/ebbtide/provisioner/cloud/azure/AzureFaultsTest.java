package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.AzureVmssNodePoolTest.VMSS;
import static dev.ebbtide.provisioner.cloud.azure.FakeArmServer.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.actuation.Actuation;
import dev.ebbtide.provisioner.actuation.ClusterBackoff;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Outcome;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler.Status;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every fault class Azure produces while scaling, injected by the fake with Azure's real error bodies: the
 * classification, the retry or backoff timing on an injected clock, and the event and metric emitted.
 */
class AzureFaultsTest {

    static final String LIST = "GET " + VMSS + "/virtualMachines?$expand=instanceView";
    static final String GET = "GET " + VMSS;
    static final String PATCH_1_TO_3 = "PATCH " + VMSS + " If-Match:\"1\" {\"sku\":{\"capacity\":3}}";

    final FakeArmServer fake = new FakeArmServer();
    final Actuation a = new Actuation();
    NodePool pool;
    Instant t0;

    @BeforeEach
    void pool() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        pool = FakeArmClients.provider(fake)
                .nodePool(new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null));
        fake.clearRequests();
        t0 = a.clock.instant();
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        // the request log, for docs/azure.md and for reading a failure
        System.out.println("REQUESTS " + test.getDisplayName() + "\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    Outcome scaleTo(String id, int target) {
        return a.handler.handle(new ScaleRequested(id, "gpu", target, List.of(), List.of(), t0), pool, n -> true);
    }

    double errors(ErrorClass c) {
        return a.metrics.cloudErrors("gpu", c);
    }

    ClusterBackoff.State backoff() {
        return a.backoff.active("gpu").orElseThrow();
    }

    static String wrap(String errorObject) {
        return "{\"error\":" + errorObject + "}";
    }

    // ------------------------------------------------------------------ throttled

    @Test
    void computeThrottlingWithALongRetryAfterBacksOffTheClusterForThatLong() {
        fake.inject(Fault.sync(
                Target.PATCH_SCALE_SET,
                429,
                wrap(resource("errors/compute-throttling-429.json")),
                Map.of(
                        "Retry-After",
                        "1200",
                        "x-ms-ratelimit-remaining-resource",
                        "Microsoft.Compute/HighCostGet3Min;46,Microsoft.Compute/HighCostGet30Min;0")));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.FAILED, o.status());
        assertEquals(ErrorClass.THROTTLED, o.error());
        assertEquals(List.of(), a.sleeps, "20 minutes are not waited on a thread");
        assertEquals(t0.plusSeconds(1200), backoff().until(), "backoff honours Retry-After over the 30 s start");
        assertEquals("throttled", o.reason().code());
        assertEquals(1.0, errors(ErrorClass.THROTTLED));
        assertEquals(
                List.of(
                        "cloudError gpu THROTTLED",
                        "backoffStarted gpu THROTTLED until " + t0.plusSeconds(1200) + " throttled"),
                a.events.all);
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3), fake.lines());
        assertEquals(0, fake.scaleSet("ebbtide-gpu").capacity());
    }

    @Test
    void armSubscriptionThrottlingWaitsRetryAfterThenRetries() {
        fake.inject(Fault.sync(
                Target.GET_SCALE_SET,
                429,
                resource("errors/arm-subscription-throttled-429.json"),
                Map.of("Retry-After", "1")));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(List.of(Duration.ofSeconds(1)), a.sleeps);
        assertEquals(t0.plusSeconds(1), a.clock.instant());
        assertTrue(a.backoff.active("gpu").isEmpty());
        assertEquals(1.0, errors(ErrorClass.THROTTLED));
        assertEquals(
                List.of(
                        "cloudError gpu THROTTLED",
                        "nodesRequested gpu " + "[ebbtide-gpu_0, ebbtide-gpu_1, ebbtide-gpu_2] r1"),
                a.events.all);
        assertEquals(List.of(LIST, GET, LIST, GET, PATCH_1_TO_3, GET, LIST), fake.lines());
    }

    // ------------------------------------------------------------------ transient

    @Test
    void aServerErrorIsRetriedAfterAJitteredDelay() {
        fake.inject(Fault.sync(
                Target.PATCH_SCALE_SET,
                503,
                wrap("{\"code\":\"ServiceUnavailable\",\"message\":\"The service is temporarily unavailable.\"}"),
                Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(1, a.sleeps.size());
        Duration wait = a.sleeps.get(0);
        assertTrue(
                wait.compareTo(Duration.ofSeconds(1)) >= 0 && wait.compareTo(Duration.ofMillis(1500)) <= 0,
                "1 s plus up to 50 % jitter, was " + wait);
        assertEquals(1.0, errors(ErrorClass.TRANSIENT));
        assertTrue(a.backoff.active("gpu").isEmpty());
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3, LIST, GET, PATCH_1_TO_3, GET, LIST), fake.lines());
    }

    @Test
    void aDroppedConnectionIsTransientAndRetried() {
        fake.inject(Fault.dropConnection(Target.PATCH_SCALE_SET));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(1, a.sleeps.size());
        assertEquals(1.0, errors(ErrorClass.TRANSIENT));
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3, LIST, GET, PATCH_1_TO_3, GET, LIST), fake.lines());
    }

    @Test
    void repeatedServerErrorsBackOffTheCluster() {
        for (int i = 0; i < 3; i++) {
            fake.inject(Fault.sync(
                    Target.PATCH_SCALE_SET,
                    500,
                    wrap("{\"code\":\"InternalServerError\",\"message\":\"An internal server error occurred.\"}"),
                    Map.of()));
        }
        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.TRANSIENT, o.error());
        assertEquals(2, a.sleeps.size(), "three attempts, two waits");
        assertTrue(a.sleeps.get(1).compareTo(Duration.ofSeconds(2)) >= 0, "the wait doubles");
        Instant afterRetries = a.clock.instant();
        assertEquals(afterRetries.plusSeconds(30), backoff().until());
        assertEquals(3.0, errors(ErrorClass.TRANSIENT));
        assertEquals(
                "backoffStarted gpu TRANSIENT until " + afterRetries.plusSeconds(30) + " transient",
                a.events.all.get(a.events.all.size() - 1));
    }

    // ------------------------------------------------------------------ quota

    @Test
    void quotaExceededBacksOffDoublingAndSaysWaitingForQuota() {
        fake.inject(Fault.sync(
                Target.PATCH_SCALE_SET, 409, resource("errors/core-quota-operation-not-allowed-409.json"), Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.QUOTA_EXCEEDED, o.error());
        assertEquals(List.of(), a.sleeps, "no retry: only a quota increase helps");
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals("quota_exceeded", o.reason().code());
        assertTrue(
                o.reason().message().startsWith("waiting for quota: "),
                o.reason().message());
        assertTrue(
                o.reason().message().contains("exceeding quota limits of Core"),
                o.reason().message());
        assertEquals(1.0, errors(ErrorClass.QUOTA_EXCEEDED));
        assertEquals(
                List.of(
                        "cloudError gpu QUOTA_EXCEEDED",
                        "backoffStarted gpu QUOTA_EXCEEDED until " + t0.plusSeconds(30) + " quota_exceeded"),
                a.events.all);
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3), fake.lines());

        // while backing off, a new request does not write
        fake.clearRequests();
        Outcome waiting = scaleTo("r2", 3);
        assertEquals(Status.BACKING_OFF, waiting.status());
        assertEquals(List.of(LIST), fake.lines());

        // after 30 s it tries again, fails again: 60 s
        a.clock.advance(Duration.ofSeconds(30));
        fake.inject(Fault.sync(
                Target.PATCH_SCALE_SET, 409, resource("errors/core-quota-operation-not-allowed-409.json"), Map.of()));
        scaleTo("r3", 3);
        assertEquals(a.clock.instant().plusSeconds(60), backoff().until());
        assertEquals(2, backoff().failures());

        // quota granted: success resets the backoff
        a.clock.advance(Duration.ofSeconds(60));
        assertEquals(Status.APPLIED, scaleTo("r4", 3).status());
        assertTrue(a.backoff.last("gpu").isEmpty());
        assertTrue(a.events.all.contains("backoffEnded gpu"));
    }

    // ------------------------------------------------------------------ capacity

    @Test
    void allocationFailureArrivesLateInTheOperationStatusAndBacksOff() {
        fake.inject(Fault.async(
                Target.PATCH_SCALE_SET,
                "Failed",
                resource("errors/deployment-async-failed-allocation.json"),
                "AllocationFailed"));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, o.error());
        assertTrue(
                o.reason().message().startsWith("capacity unavailable: "),
                o.reason().message());
        assertTrue(o.reason().message().contains("AllocationFailed"), o.reason().message());
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals(1.0, errors(ErrorClass.CAPACITY_UNAVAILABLE));
        assertEquals(
                List.of(
                        "cloudError gpu CAPACITY_UNAVAILABLE",
                        "backoffStarted gpu CAPACITY_UNAVAILABLE until " + t0.plusSeconds(30)
                                + " capacity_unavailable"),
                a.events.all);
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3), fake.lines(), "accepted, then failed in the poll");
        // the instances Azure could not allocate are reported failed with the same class
        List<CloudNode> nodes = pool.nodes();
        assertEquals(3, nodes.size());
        assertTrue(
                nodes.stream()
                        .allMatch(n ->
                                n.status() == CloudNodeStatus.FAILED && n.error() == ErrorClass.CAPACITY_UNAVAILABLE),
                nodes.toString());
    }

    @Test
    void overconstrainedZonalAllocationWrappedInResourceOperationFailureIsCapacity() {
        fake.inject(Fault.async(
                Target.PATCH_SCALE_SET,
                "Failed",
                resource("errors/async-operation-failed-overconstrained-zonal.json"),
                "OverconstrainedZonalAllocationRequest"));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, o.error());
        assertTrue(
                o.reason().message().contains("OverconstrainedZonalAllocationRequest"),
                o.reason().message());
        assertTrue(
                o.reason().message().contains("Allocation failed. VM(s) with the following constraints"),
                "the detail's message, not the wrapper's: " + o.reason().message());
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals(1.0, errors(ErrorClass.CAPACITY_UNAVAILABLE));
    }

    @Test
    void skuNotAvailableIsCapacityUnavailableAtOnce() {
        fake.inject(Fault.sync(Target.PATCH_SCALE_SET, 409, resource("errors/sku-not-available-409.json"), Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, o.error());
        assertEquals(List.of(), a.sleeps);
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals(1.0, errors(ErrorClass.CAPACITY_UNAVAILABLE));
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3), fake.lines());
    }

    // ------------------------------------------------------------------ not found

    @Test
    void aMissingScaleSetIsNotFoundAndNotRetried() {
        fake.inject(Fault.sync(
                Target.LIST_VMS,
                404,
                wrap(
                        "{\"code\":\"ResourceNotFound\",\"message\":"
                                + "\"The Resource 'Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu' under resource group "
                                + "'ebbtide-rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix\"}"),
                Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.NOT_FOUND, o.error());
        assertEquals(List.of(), a.sleeps);
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals(1.0, errors(ErrorClass.NOT_FOUND));
        assertEquals(List.of(LIST), fake.lines());
        assertEquals(
                List.of(
                        "cloudError gpu NOT_FOUND",
                        "backoffStarted gpu NOT_FOUND until " + t0.plusSeconds(30) + " not_found"),
                a.events.all);
    }

    // ------------------------------------------------------------------ conflict

    @Test
    void anEtagConflictIsReReadAndRetriedOnce() {
        // another writer changed the scale set between our GET and our PATCH
        fake.inject(Fault.sync(Target.PATCH_SCALE_SET, 412, resource("errors/precondition-failed-412.json"), Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(List.of(), a.sleeps, "re-read at once");
        assertEquals(1.0, errors(ErrorClass.CONFLICT));
        assertTrue(a.backoff.active("gpu").isEmpty());
        assertEquals(List.of(LIST, GET, PATCH_1_TO_3, LIST, GET, PATCH_1_TO_3, GET, LIST), fake.lines());
    }

    @Test
    void aRealConcurrentWriteIsSeenThroughTheEtag() {
        // someone else grows the scale set after we read it: our If-Match carries the old ETag
        fake.beforeNext(Target.PATCH_SCALE_SET, () -> fake.addRunningVm("ebbtide-gpu"));
        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(1.0, errors(ErrorClass.CONFLICT));
        assertEquals(3, fake.scaleSet("ebbtide-gpu").capacity(), "re-read found the other writer's VM: +2, not +3");
        List<String> patches =
                fake.lines().stream().filter(l -> l.startsWith("PATCH")).toList();
        assertEquals(
                List.of(
                        "PATCH " + VMSS + " If-Match:\"1\" {\"sku\":{\"capacity\":3}}",
                        "PATCH " + VMSS + " If-Match:\"2\" {\"sku\":{\"capacity\":3}}"),
                patches);
    }

    @Test
    void aSecondConflictBacksOff() {
        fake.inject(Fault.sync(Target.PATCH_SCALE_SET, 412, resource("errors/precondition-failed-412.json"), Map.of()));
        fake.inject(Fault.sync(
                Target.PATCH_SCALE_SET,
                409,
                wrap("{\"code\":\"Conflict\",\"message\":"
                        + "\"You're requesting an operation that isn't allowed in the resource's current state.\"}"),
                Map.of()));

        Outcome o = scaleTo("r1", 3);

        assertEquals(ErrorClass.CONFLICT, o.error());
        assertEquals(2.0, errors(ErrorClass.CONFLICT));
        assertEquals(t0.plusSeconds(30), backoff().until());
        assertEquals(
                "backoffStarted gpu CONFLICT until " + t0.plusSeconds(30) + " conflict",
                a.events.all.get(a.events.all.size() - 1));
    }

    // ------------------------------------------------------------------ preempted

    @Test
    void anOperationPreemptedByANewerOneIsRetried() {
        fake.inject(Fault.async(
                Target.PATCH_SCALE_SET, "Canceled", resource("errors/async-operation-canceled-preempted.json"), null));

        Outcome o = scaleTo("r1", 3);

        assertEquals(Status.APPLIED, o.status());
        assertEquals(1.0, errors(ErrorClass.PREEMPTED));
        assertEquals(List.of(), a.sleeps);
        assertTrue(a.backoff.active("gpu").isEmpty());
        assertEquals(
                List.of(
                        LIST,
                        GET,
                        PATCH_1_TO_3,
                        LIST,
                        GET,
                        "PATCH " + VMSS + " If-Match:\"2\" {\"sku\":{\"capacity\":3}}",
                        GET,
                        LIST),
                fake.lines());
        assertEquals(3, fake.scaleSet("ebbtide-gpu").capacity());
    }
}
