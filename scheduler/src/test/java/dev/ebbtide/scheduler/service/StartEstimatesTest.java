package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.estimate.GrowthWait;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a cluster's latest wait becomes the estimator's growth wait. */
class StartEstimatesTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    private static GrowthWait cloud(Instant until) {
        return StartEstimates.growthWait(new WaitReason.CloudError(ErrorClass.THROTTLED, "r", until), NOW);
    }

    @Test
    void aCloudBackoffEndsAtItsRetryTime() {
        assertEquals(new GrowthWait("cloud back-off (THROTTLED)", NOW.plusSeconds(60)), cloud(NOW.plusSeconds(60)));
    }

    @Test
    void quotaApprovalAndStoppedInstanceHaveNoKnownEnd() {
        Instant nextLook = NOW.plusSeconds(30);
        assertEquals(
                new GrowthWait("waiting for quota", null),
                StartEstimates.growthWait(new WaitReason.Quota("cores", 24, 24, nextLook), NOW));
        assertEquals(
                new GrowthWait("waiting for approval", null),
                StartEstimates.growthWait(new WaitReason.Approval("NDv2", "standardNDSv2Family", nextLook), NOW));
        assertEquals(
                new GrowthWait("the compute instance is stopped", null),
                StartEstimates.growthWait(new WaitReason.InstanceStopped("ci", "Stopped", null), NOW));
    }

    @Test
    void anEndedOrExpiredBackoffIsNoWait() {
        assertNull(StartEstimates.growthWait(null, NOW));
        assertNull(cloud(NOW));
        assertNull(StartEstimates.growthWait(new WaitReason.Quota("cores", 24, 24, NOW.minusSeconds(1)), NOW));
    }
}
