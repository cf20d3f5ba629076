package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.devsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterBackoffTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
    final ClusterBackoff backoff = new ClusterBackoff(clock);
    final Reason quota = new Reason("quota_exceeded", "waiting for quota");

    @ParameterizedTest(name = "failure {0} → {1}")
    @CsvSource({"1, PT30S", "2, PT1M", "3, PT2M", "4, PT4M", "5, PT8M", "6, PT16M", "7, PT30M", "8, PT30M", "40, PT30M"
    })
    void startsAt30SecondsAndDoublesToAtMost30Minutes(int failures, Duration expected) {
        assertEquals(expected, backoff.delay(failures));
    }

    @Test
    void consecutiveFailuresDoubleTheWaitAndASuccessResetsIt() {
        ClusterBackoff.State first = backoff.recordFailure("gpu", ErrorClass.QUOTA_EXCEEDED, quota, null);
        assertEquals(clock.instant().plusSeconds(30), first.until());
        assertTrue(backoff.active("gpu").isPresent());
        assertFalse(backoff.active("cpu").isPresent(), "per cluster");

        clock.advance(Duration.ofSeconds(30));
        assertTrue(backoff.active("gpu").isEmpty(), "expired");
        ClusterBackoff.State second = backoff.recordFailure("gpu", ErrorClass.QUOTA_EXCEEDED, quota, null);
        assertEquals(clock.instant().plusSeconds(60), second.until());
        assertEquals(2, second.failures());
        assertEquals(quota, backoff.active("gpu").orElseThrow().reason());

        assertTrue(backoff.recordSuccess("gpu"));
        assertTrue(backoff.active("gpu").isEmpty());
        assertEquals(
                clock.instant().plusSeconds(30),
                backoff.recordFailure("gpu", ErrorClass.CAPACITY_UNAVAILABLE, quota, null)
                        .until());
    }

    @Test
    void theCloudsRetryAfterWinsWhenLonger() {
        assertEquals(
                clock.instant().plusSeconds(1200),
                backoff.recordFailure(
                                "gpu", ErrorClass.THROTTLED, new Reason("throttled", "x"), Duration.ofSeconds(1200))
                        .until());
        assertEquals(
                clock.instant().plusSeconds(60),
                backoff.recordFailure("gpu", ErrorClass.THROTTLED, new Reason("throttled", "x"), Duration.ofSeconds(5))
                        .until(),
                "second failure: 60 s > 5 s");
    }
}
