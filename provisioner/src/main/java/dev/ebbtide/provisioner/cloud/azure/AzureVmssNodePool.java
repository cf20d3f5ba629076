package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetVMsClient;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetsClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetVMInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.Sku;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdate;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetVMInstanceRequiredIDs;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One cluster's nodes as one VM scale set (Uniform orchestration). Scale up is a PATCH of {@code sku.capacity} only,
 * guarded by {@code If-Match} with the ETag just read; scale down deletes the named instances (never a capacity
 * decrease, which would let Azure choose the victims). Calls block until Azure's long-running operation ends; run
 * them on worker threads. Every failure is a {@link CloudException} classified by {@link AzureTranslation}.
 */
public final class AzureVmssNodePool implements NodePool {

    private static final Logger LOG = Logger.getLogger(AzureVmssNodePool.class);

    private final VirtualMachineScaleSetsClient scaleSets;
    private final VirtualMachineScaleSetVMsClient vms;
    private final String cluster;
    private final String resourceGroup;
    private final String scaleSetName;
    private final boolean spot;
    private final Duration pollInterval;
    /** VM names Ebbtide asked Azure to delete, so a Spot VM going away on its own reads as preempted. */
    private final Set<String> deletionsRequested = ConcurrentHashMap.newKeySet();
    /** Capacity writes of this scale set: while one is in flight, later targets coalesce into one more call. */
    private final LatestWins<Capacity> capacityWrites = new LatestWins<>();
    /** Capacity writes ended so far: a target read before the last one ended carries a stale ETag. */
    private final java.util.concurrent.atomic.AtomicLong writesEnded = new java.util.concurrent.atomic.AtomicLong();
    /** When each scale-up was asked for, so that the newest of several coalesced ones wins. */
    private static final java.util.concurrent.atomic.AtomicLong ORDER = new java.util.concurrent.atomic.AtomicLong();
    /** The subscription's write budget; null = none. */
    private final ArmWriteLimiter limiter;

    /** A capacity to write and the ETag of the read it was computed from ({@code If-Match}). */
    private record Capacity(int target, int current, String etag, long seenWrites) {}

    public AzureVmssNodePool(
            VirtualMachineScaleSetsClient scaleSets,
            VirtualMachineScaleSetVMsClient vms,
            String cluster,
            String resourceGroup,
            String scaleSetName,
            boolean spot,
            Duration pollInterval,
            ArmWriteLimiter limiter) {
        this.limiter = limiter;
        this.scaleSets = scaleSets;
        this.vms = vms;
        this.cluster = cluster;
        this.resourceGroup = resourceGroup;
        this.scaleSetName = scaleSetName;
        this.spot = spot;
        this.pollInterval = pollInterval;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    public String scaleSetName() {
        return scaleSetName;
    }

    @Override
    public int targetSize() {
        VirtualMachineScaleSetInner vmss =
                call("read scale set " + scaleSetName, () -> scaleSets.getByResourceGroup(resourceGroup, scaleSetName));
        return capacityOf(vmss);
    }

    @Override
    public void increaseSize(int delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        long order = ORDER.incrementAndGet();
        long seen = writesEnded.get();
        VirtualMachineScaleSetInner vmss =
                call("read scale set " + scaleSetName, () -> scaleSets.getByResourceGroup(resourceGroup, scaleSetName));
        int current = capacityOf(vmss);
        Capacity mine = new Capacity(current + delta, current, vmss.etag(), seen);
        capacityWrites.submit(order, mine, this::readyToWrite, c -> writeCapacity(c, c == mine));
    }

    /**
     * Asks for {@code target} nodes (a bench's scale request; {@code order} says which request is newer): coalesced
     * with the other requests that arrive while a write is in flight or waits for the budget.
     */
    void scaleTo(long order, int target) {
        long seen = writesEnded.get();
        VirtualMachineScaleSetInner vmss =
                call("read scale set " + scaleSetName, () -> scaleSets.getByResourceGroup(resourceGroup, scaleSetName));
        int current = capacityOf(vmss);
        Capacity mine = new Capacity(target, current, vmss.etag(), seen);
        capacityWrites.submit(order, mine, this::readyToWrite, c -> writeCapacity(c, c == mine));
    }

    /** Callers waiting for this scale set's capacity write in flight. */
    int waitingWrites() {
        return capacityWrites.waiting();
    }

    /** Waits until the write budget would let a write go, so the write takes the latest target when it goes. */
    private void readyToWrite() {
        if (limiter == null) {
            return;
        }
        try {
            limiter.awaitReady();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudException(
                    dev.ebbtide.common.events.ErrorClass.TRANSIENT, "interrupted waiting for ARM's write budget");
        }
    }

    /** One PATCH of {@code sku.capacity}, guarded by If-Match; blocks until Azure's long-running operation ends. */
    private void writeCapacity(Capacity wanted, boolean own) {
        Capacity c = wanted;
        if (!own || wanted.seenWrites() != writesEnded.get()) {
            // another caller's target, or read before this scale set's last write ended: its ETag is stale
            long seen = writesEnded.get();
            VirtualMachineScaleSetInner vmss = call(
                    "read scale set " + scaleSetName, () -> scaleSets.getByResourceGroup(resourceGroup, scaleSetName));
            c = new Capacity(wanted.target(), capacityOf(vmss), vmss.etag(), seen);
        }
        if (c.target() <= c.current()) {
            LOG.debugf("cluster %s: %s already has %d of %d", cluster, scaleSetName, c.current(), c.target());
            return; // never a capacity decrease: that would let Azure choose the victims
        }
        Capacity write = c;
        String action = "scale up " + scaleSetName + " from " + c.current() + " to " + c.target();
        LOG.infof("cluster %s: %s (If-Match %s)", cluster, action, c.etag());
        VirtualMachineScaleSetUpdate update =
                new VirtualMachineScaleSetUpdate().withSku(new Sku().withCapacity((long) c.target()));
        try {
            call(
                    action,
                    () -> finish(
                            scaleSets.beginUpdate(
                                    resourceGroup, scaleSetName, update, write.etag(), null, Context.NONE),
                            pollInterval,
                            action));
        } finally {
            writesEnded.incrementAndGet();
        }
    }

    /** Capacity writes sent, and scale-ups carried by another one's write (coalesced). */
    public long[] capacityWrites() {
        return new long[] {capacityWrites.calls(), capacityWrites.coalesced()};
    }

    @Override
    public void deleteNodes(List<String> names) {
        Set<String> wanted = new HashSet<>(names);
        List<String> instanceIds = new ArrayList<>();
        List<String> matched = new ArrayList<>();
        for (VirtualMachineScaleSetVMInner vm : listVms(false)) {
            if (wanted.contains(vm.name())) {
                instanceIds.add(vm.instanceId());
                matched.add(vm.name());
            }
        }
        if (instanceIds.isEmpty()) {
            LOG.debugf("cluster %s: none of %s exist in %s; nothing to delete", cluster, names, scaleSetName);
            return;
        }
        String action = "delete instances " + instanceIds + " of " + scaleSetName;
        LOG.infof("cluster %s: %s (%s)", cluster, action, matched);
        deletionsRequested.addAll(matched);
        VirtualMachineScaleSetVMInstanceRequiredIDs ids =
                new VirtualMachineScaleSetVMInstanceRequiredIDs().withInstanceIds(instanceIds);
        call(
                action,
                () -> finish(
                        scaleSets.beginDeleteInstances(resourceGroup, scaleSetName, ids, null, Context.NONE),
                        pollInterval,
                        action));
    }

    /** Azure's own eviction of a spot VM: {@code POST …/virtualMachines/{instanceId}/simulateEviction}. */
    @Override
    public void simulateEviction(String name) {
        for (VirtualMachineScaleSetVMInner vm : listVms(false)) {
            if (vm.name().equals(name)) {
                String action = "simulate eviction of instance " + vm.instanceId() + " of " + scaleSetName;
                LOG.infof("cluster %s: %s (%s)", cluster, action, name);
                call(action, () -> {
                    vms.simulateEviction(resourceGroup, scaleSetName, vm.instanceId());
                    return null;
                });
                return;
            }
        }
    }

    @Override
    public List<CloudNode> nodes() {
        List<CloudNode> nodes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (VirtualMachineScaleSetVMInner vm : listVms(true)) {
            List<String> codes = new ArrayList<>();
            if (vm.instanceView() != null && vm.instanceView().statuses() != null) {
                for (InstanceViewStatus s : vm.instanceView().statuses()) {
                    codes.add(s.code());
                }
            }
            AzureTranslation.NodeState state = AzureTranslation.nodeState(
                    vm.provisioningState(), codes, spot, deletionsRequested.contains(vm.name()));
            Instant createdAt =
                    vm.timeCreated() == null ? null : vm.timeCreated().toInstant();
            nodes.add(new CloudNode(vm.name(), state.status(), createdAt, state.error(), state.message()));
            seen.add(vm.name());
        }
        deletionsRequested.retainAll(seen);
        return nodes;
    }

    private List<VirtualMachineScaleSetVMInner> listVms(boolean withInstanceView) {
        return call("list instances of " + scaleSetName, () -> {
            List<VirtualMachineScaleSetVMInner> all = new ArrayList<>();
            vms.list(resourceGroup, scaleSetName, null, null, withInstanceView ? "instanceView" : null, Context.NONE)
                    .forEach(all::add);
            return all;
        });
    }

    /**
     * Wait for a long-running operation (the SDK polls {@code Azure-AsyncOperation}, honouring {@code Retry-After},
     * else every {@code pollInterval}); a {@code Failed} / {@code Canceled} end becomes a classified exception.
     */
    static <T> T finish(SyncPoller<PollResult<T>, T> poller, Duration pollInterval, String action) {
        poller.setPollInterval(pollInterval);
        PollResponse<PollResult<T>> last = poller.waitForCompletion();
        if (last.getStatus() == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
            return poller.getFinalResult();
        }
        PollResult.Error error =
                last.getValue() == null ? null : last.getValue().getError();
        throw AzureTranslation.asyncFailure(action, last.getStatus().toString(), error);
    }

    private static int capacityOf(VirtualMachineScaleSetInner vmss) {
        return vmss.sku() == null || vmss.sku().capacity() == null
                ? 0
                : Math.toIntExact(vmss.sku().capacity());
    }

    private static <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException(action, e);
            LOG.warnf("%s [%s]", ce.getMessage(), ce.errorClass());
            throw ce;
        }
    }
}
