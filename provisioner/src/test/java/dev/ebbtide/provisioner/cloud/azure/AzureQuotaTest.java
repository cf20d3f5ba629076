package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.quota.CoreLimit;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import dev.ebbtide.provisioner.actuation.QuotaGate;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.quota.Quotas;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Quotas read from Azure's Usage - List, served by the fake ARM server in the shape of the official example. */
class AzureQuotaTest {
    static final String NCV3 = "standardNCSv3Family";
    final FakeArmServer fake = new FakeArmServer();
    final AzureQuota quota = new AzureQuota(FakeArmClients.provider(fake).computeManager());

    @AfterEach
    void close() {
        fake.close();
    }

    @Test
    void readsEachQuotaByItsNameWithUseAndLimit() throws CloudException {
        fake.usages
                .set("westeurope", "cores", "Total Regional vCPUs", 20, 350)
                .set("westeurope", NCV3, "Standard NCSv3 Family vCPUs", 12, 24)
                .set("westeurope", "lowPriorityCores", "Total Regional Low-priority vCPUs", 0, 100);
        Map<String, CoreLimit> limits = quota.limits("westeurope");
        assertEquals(new CoreLimit(NCV3, 12, 24), limits.get(NCV3));
        assertEquals(new CoreLimit("cores", 20, 350), limits.get("cores"));
        assertEquals(3, limits.size());
        assertEquals(
                List.of("GET /subscriptions/" + FakeArmServer.SUBSCRIPTION
                        + "/providers/Microsoft.Compute/locations/westeurope/usages"),
                fake.lines());
        assertTrue(quota.limits("northeurope").isEmpty(), "a region with no quotas listed");
    }

    @Test
    void aScaleUpBeyondTheFamilyWaitsAndIsLetGoWhenAzureRaisesTheLimit() {
        fake.usages.set(FakeArmServer.LOCATION, NCV3, "Standard NCSv3 Family vCPUs", 18, 24);
        List<String> ended = new CopyOnWriteArrayList<>();
        Quotas quotas = new Quotas(
                quota,
                VmCatalogue.standard(),
                FakeArmServer.LOCATION,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
                Duration.ofSeconds(30),
                new ProvisionerEvents() {
                    @Override
                    public void backoffEnded(String cluster) {
                        ended.add(cluster);
                    }
                },
                new SimpleMeterRegistry());
        ClusterSpec gpu = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);
        quotas.attach(new Quotas.UsageView() {
            @Override
            public Map<String, ClusterSpec> clusters() {
                return Map.of("gpu", gpu);
            }

            @Override
            public int nodes(String cluster) {
                return 0; // Azure counts usage itself
            }
        });
        QuotaGate.Admission a = quotas.admit("gpu", 3);
        assertEquals(1, a.nodes(), "6 free cores: one 6-core node");
        assertEquals(
                "waiting for quota: standardNCSv3Family uses 18 of 24 cores",
                a.reason().message());
        assertEquals(
                new WaitReason.Quota("standardNCSv3Family", 18, 24, Instant.parse("2026-01-01T00:00:30Z")),
                a.waiting());
        assertEquals(Instant.parse("2026-01-01T00:00:30Z"), a.until());

        fake.usages.set(FakeArmServer.LOCATION, NCV3, "Standard NCSv3 Family vCPUs", 24, 24);
        quotas.refresh();
        assertTrue(ended.isEmpty(), "still full: keeps waiting");
        fake.usages.set(FakeArmServer.LOCATION, NCV3, "Standard NCSv3 Family vCPUs", 24, 48);
        quotas.refresh();
        assertEquals(List.of("gpu"), ended);
        assertFalse(quotas.waitOf("gpu").isPresent());
    }

    @Test
    void familyNamesMatchWhateverCaseAzureSpellsThemIn() {
        fake.usages.set(FakeArmServer.LOCATION, "StandardNCSv3Family", "Standard NCSv3 Family vCPUs", 24, 24);
        Quotas quotas = new Quotas(
                quota,
                VmCatalogue.standard(),
                FakeArmServer.LOCATION,
                Clock.systemUTC(),
                Duration.ofSeconds(30),
                ProvisionerEvents.NONE,
                new SimpleMeterRegistry());
        ClusterSpec gpu = new ClusterSpec("gpu", "Standard_NC6s_v3", "dedicated", 0, 4, 120, null);
        quotas.attach(new Quotas.UsageView() {
            @Override
            public Map<String, ClusterSpec> clusters() {
                return Map.of("gpu", gpu);
            }

            @Override
            public int nodes(String cluster) {
                return 0;
            }
        });
        QuotaGate.Admission a = quotas.admit("gpu", 1);
        assertEquals(0, a.nodes(), "the catalogue's standardNCSv3Family is Azure's StandardNCSv3Family");
        assertEquals(
                "waiting for quota: StandardNCSv3Family uses 24 of 24 cores",
                a.reason().message());
    }
}
