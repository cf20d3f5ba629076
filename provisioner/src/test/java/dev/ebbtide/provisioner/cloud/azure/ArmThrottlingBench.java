package dev.ebbtide.provisioner.cloud.azure;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.core.arm.WriteBudget;
import dev.ebbtide.provisioner.actuation.CloudCaller;
import dev.ebbtide.provisioner.actuation.ProvisionerMetrics;
import dev.ebbtide.provisioner.actuation.RecordingEvents;
import dev.ebbtide.provisioner.actuation.RetryPolicy;
import dev.ebbtide.provisioner.actuation.Sleeper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A bench, not a test (it asserts no time): N clusters scale at once against a fake ARM that throttles writes with
 * ARM's own bucket (200 writes, 10 per second): each cluster gets 3 scale requests (targets 2, 3, 4) at once, as an
 * autoscaler changing its mind during a burst would send. Prints the time until every cluster's scale set holds its
 * latest target, the calls made, the 429s received, beside the bucket's own ceiling (the least time it allows for
 * one write per cluster). Run by {@code ./ebbtide bench --arm-throttling [--clusters 500]}.
 */
@EnabledIfSystemProperty(named = "ebbtide.bench", matches = "arm-throttling")
class ArmThrottlingBench {

    @Test
    void fiveHundredClustersScaleAtOnce() throws Exception {
        int clusters = Integer.getInteger("ebbtide.bench.clusters", 500);
        int capacity = WriteBudget.ARM_WRITE_CAPACITY;
        double refill = WriteBudget.ARM_WRITE_REFILL_PER_SECOND;
        List<String> rows = new ArrayList<>();
        rows.add(run(clusters, capacity, refill, true));
        rows.add(run(clusters, capacity, refill, false));
        Duration ceiling = WriteBudget.ceiling(clusters, capacity, refill);
        System.out.println("\nARM throttling bench: " + clusters + " clusters x 3 scale requests (targets 2, 3, 4) at"
                + " once; fake ARM write bucket " + capacity + ", refill " + (int) refill + "/s");
        System.out.printf(
                "%-34s %10s %8s %6s %9s %s%n", "provisioner", "all at 4", "writes", "429s", "coalesced", "ceiling");
        rows.forEach(System.out::println);
        System.out.printf(
                "ceiling: %d writes (one per cluster) need at least %.1f s in this bucket%n",
                clusters, ceiling.toMillis() / 1000.0);
    }

    private static String run(int clusters, int capacity, double refill, boolean limited) throws Exception {
        try (FakeArmServer fake = new FakeArmServer()) {
            fake.throttleWrites(capacity, refill);
            ArmWriteLimiter limiter = limited
                    ? new ArmWriteLimiter(
                            FakeArmServer.SUBSCRIPTION,
                            capacity,
                            refill,
                            Clock.systemUTC(),
                            ArmWriteLimiter.Pause.SYSTEM,
                            new SimpleMeterRegistry())
                    : null;
            AzureVmssProvider provider = FakeArmClients.provider(fake, limiter);
            List<AzureVmssNodePool> pools = new ArrayList<>();
            for (int c = 0; c < clusters; c++) {
                fake.givenScaleSet("ebbtide-b" + c, "Standard_D4s_v5", false);
                pools.add((AzureVmssNodePool)
                        provider.nodePool(new ClusterSpec("b" + c, "Standard_D4s_v5", "dedicated", 0, 8, 120, null)));
            }
            CloudCaller caller = new CloudCaller(
                    new RetryPolicy(1000, Duration.ofSeconds(60), Duration.ofMillis(100), new Random(1)),
                    Sleeper.SYSTEM,
                    new ProvisionerMetrics(new SimpleMeterRegistry()),
                    new RecordingEvents());
            ExecutorService threads = Executors.newFixedThreadPool(3 * clusters);
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int k = 1; k <= 3; k++) {
                int order = k;
                for (AzureVmssNodePool pool : pools) {
                    done.add(threads.submit(
                            () -> caller.run(pool.cluster(), "scale", () -> pool.scaleTo(order, order + 1))));
                }
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            threads.shutdownNow();
            int atTarget = 0;
            for (int c = 0; c < clusters; c++) {
                atTarget += fake.scaleSet("ebbtide-b" + c).capacity() == 4 ? 1 : 0;
            }
            long coalesced =
                    pools.stream().mapToLong(p -> p.capacityWrites()[1]).sum();
            long writes = fake.writesAccepted() + fake.throttled();
            return String.format(
                    "%-34s %8.1f s %8d %6d %9d %s",
                    limited ? "limiter + coalescing (this branch)" : "coalescing only, no limiter",
                    seconds,
                    writes,
                    fake.throttled(),
                    coalesced,
                    atTarget == clusters
                            ? "all " + clusters + " at target"
                            : atTarget + " of " + clusters + " at target");
        }
    }
}
