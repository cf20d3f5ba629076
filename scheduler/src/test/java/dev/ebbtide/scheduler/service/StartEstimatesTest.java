package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.core.estimate.GrowthWait;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a cluster's latest back-off becomes the estimator's growth wait. */
class StartEstimatesTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    private static GrowthWait of(String errorClass, Instant until) {
        return StartEstimates.growthWait(new ClusterBackoffChanged("c", until, errorClass, "r", NOW), NOW);
    }

    @Test
    void aCloudBackoffEndsAtItsRetryTime() {
        assertEquals(
                new GrowthWait("cloud back-off (THROTTLED)", NOW.plusSeconds(60)),
                of("THROTTLED", NOW.plusSeconds(60)));
    }

    @Test
    void quotaApprovalAndStoppedInstanceHaveNoKnownEnd() {
        assertEquals(new GrowthWait("waiting for quota", null), of("QUOTA_WAIT", NOW.plusSeconds(30)));
        assertEquals(new GrowthWait("waiting for approval", null), of("APPROVAL_WAIT", NOW.plusSeconds(30)));
        assertEquals(
                new GrowthWait("the compute instance is stopped", null),
                of(WaitReasons.INSTANCE_STOPPED, NOW.plusSeconds(30)));
    }

    @Test
    void anEndedOrExpiredBackoffIsNoWait() {
        assertNull(StartEstimates.growthWait(null, NOW));
        assertNull(of("THROTTLED", null));
        assertNull(of("THROTTLED", NOW));
    }
}
