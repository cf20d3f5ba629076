package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import dev.ebbtide.provisioner.quota.LocalQuota;
import dev.ebbtide.provisioner.quota.Quotas;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A scale-up beyond the family's quota is not sent to the cloud; the cluster waits with the reason, and goes on by
 * itself when an operator raises the quota. A series that needs approval waits for it. Local quotas, in-memory pool.
 */
class QuotaWaitTest {
    static final String NCV3 = "standardNCSv3Family";
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final List<String> waits = new CopyOnWriteArrayList<>();
    final List<String> ended = new CopyOnWriteArrayList<>();
    final Map<String, InMemoryNodePool> pools = new HashMap<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicInteger requests = new AtomicInteger();

    Provisioner provisioner(Quotas quotas, ProvisionerPublisher publisher) {
        ClusterBackoff backoff = new ClusterBackoff(clock);
        CloudCaller caller =
                new CloudCaller(new RetryPolicy(new Random(1)), d -> {}, new ProvisionerMetrics(registry), publisher);
        CloudProvider provider = new CloudProvider() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public NodePool nodePool(ClusterSpec cluster) {
                return pools.computeIfAbsent(cluster.name(), c -> new InMemoryNodePool(c, clock));
            }
        };
        Provisioner p = new Provisioner(
                provider,
                publisher,
                new ScaleRequestHandler(backoff, caller, ScaleRequestLedger.inMemory(100), publisher, quotas),
                new Reconciler(
                        clock,
                        new Reconciler.Settings(
                                Duration.ofMinutes(15), Duration.ofMinutes(10), ProvisionerEvents.OrphanAction.ADOPT),
                        backoff,
                        caller,
                        publisher),
                caller,
                new NodeBook(Duration.ofSeconds(60)),
                Duration.ZERO,
                registry,
                clock);
        quotas.attach(p.usageView());
        return p;
    }

    ProvisionerPublisher publisher() {
        return new ProvisionerPublisher() {
            @Override
            public void nodeStateChanged(NodeStateChanged e) {}

            @Override
            public void quotaWait(String cluster, WaitReason waiting) {
                waits.add(cluster + " " + waiting.getClass().getSimpleName() + " until " + waiting.until() + ": "
                        + waiting.sentence());
            }

            @Override
            public void backoffEnded(String cluster) {
                ended.add(cluster);
            }
        };
    }

    Quotas quotas(Map<String, Integer> familyCores, ProvisionerPublisher publisher) {
        return new Quotas(
                new LocalQuota(familyCores, null, null),
                VmCatalogue.standard(),
                "local",
                clock,
                Duration.ofSeconds(30),
                publisher,
                registry);
    }

    void scale(Provisioner p, String cluster, int target) {
        p.onScaleRequested(new ScaleRequested(
                "r-" + requests.incrementAndGet(),
                cluster,
                target,
                List.of(),
                List.of(new Reason("TEST", "test")),
                clock.instant()));
    }

    @Test
    void aScaleUpBeyondTheFamilyQuotaWaitsAndGoesOnWhenTheQuotaIsRaised() {
        ProvisionerPublisher publisher = publisher();
        Quotas quotas = quotas(Map.of(NCV3, 12), publisher);
        Provisioner p = provisioner(quotas, publisher);
        p.onClusterDefined(new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 60, null));
        p.onClusterDefined(new ClusterSpec("cpu", "Standard_DS3_v2", "dedicated", 0, 4, 60, null));

        scale(p, "gpu", 3);
        assertEquals(2, pools.get("gpu").targetSize(), "two 6-core nodes fit in 12 cores, the third is not sent");
        assertEquals(
                List.of("gpu Quota until 2026-01-01T00:00:30Z: waiting for quota: standardNCSv3Family uses 0 "
                        + "of 12 cores"),
                waits);

        scale(p, "gpu", 3);
        assertEquals(2, pools.get("gpu").targetSize(), "full: nothing reaches the cloud");
        assertEquals(
                "gpu Quota until 2026-01-01T00:00:30Z: waiting for quota: standardNCSv3Family uses 12 of 12 " + "cores",
                waits.get(1));
        assertEquals(Map.of("gpu", "waiting for quota: standardNCSv3Family uses 12 of 12 cores"), quotas.waiting());

        scale(p, "cpu", 4);
        assertEquals(4, pools.get("cpu").targetSize(), "another family is not limited");

        quotas.refresh();
        assertTrue(ended.isEmpty(), "nothing changed: still waiting");
        assertTrue(quotas.setLimit(NCV3, 18));
        assertEquals(List.of("gpu"), ended, "raising the quota lets the cluster go at once");
        scale(p, "gpu", 3);
        assertEquals(3, pools.get("gpu").targetSize());
        assertEquals(2, waits.size(), "no new wait");
        assertEquals(
                18.0,
                registry.get("ebbtide_quota_cores_limit")
                        .tags("family", NCV3, "region", "local")
                        .gauge()
                        .value());
    }

    @Test
    void aSeriesThatNeedsApprovalWaitsForItAndOtherClustersDoNot() {
        ProvisionerPublisher publisher = publisher();
        Quotas quotas = quotas(Map.of(), publisher);
        Provisioner p = provisioner(quotas, publisher);
        p.onClusterDefined(new ClusterSpec("nd", "Standard_ND40rs_v2", "dedicated", 0, 2, 60, null));
        p.onClusterDefined(new ClusterSpec("local", "local", "dedicated", 0, 1, 60, null));

        scale(p, "nd", 1);
        assertEquals(0, pools.get("nd").targetSize(), "created, but no node until approved");
        assertTrue(
                waits.get(0).startsWith("nd Approval until 2026-01-01T00:00:30Z: waiting for approval of NDv2"),
                waits.toString());
        scale(p, "local", 1);
        assertEquals(1, pools.get("local").targetSize(), "a size outside the catalogue is not limited");

        quotas.setLimit("standardNDSv2Family", 40);
        assertEquals(List.of("nd"), ended);
        scale(p, "nd", 1);
        assertEquals(1, pools.get("nd").targetSize());
    }
}
