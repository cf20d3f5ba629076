package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.NodePoolContractTest;
import java.time.Duration;
import java.time.Instant;

/** The provider contract against {@code local}: the same tests the Azure adapter passes. */
class LocalNodePoolContractTest extends NodePoolContractTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    protected NodePool newPool() {
        return new LocalNodePool("contract", Duration.ofSeconds(2), clock);
    }

    @Override
    protected void settle() {
        clock.advance(Duration.ofSeconds(2));
    }
}
