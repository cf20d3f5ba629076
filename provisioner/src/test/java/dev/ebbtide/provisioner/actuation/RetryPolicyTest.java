package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

    final RetryPolicy policy = new RetryPolicy(new Random(7));

    static CloudException error(ErrorClass c, Duration retryAfter) {
        return new CloudException(c, c + " happened", retryAfter, null);
    }

    @ParameterizedTest(name = "{0} attempt {1} → retry={2}")
    @CsvSource({
        "THROTTLED, 1, true",
        "THROTTLED, 2, true",
        "THROTTLED, 3, false",
        "TRANSIENT, 1, true",
        "TRANSIENT, 2, true",
        "TRANSIENT, 3, false",
        "CONFLICT, 1, true",
        "CONFLICT, 2, false",
        "PREEMPTED, 1, true",
        "PREEMPTED, 2, true",
        "PREEMPTED, 3, false",
        "QUOTA_EXCEEDED, 1, false",
        "CAPACITY_UNAVAILABLE, 1, false",
        "NOT_FOUND, 1, false",
        "UNKNOWN, 1, false"
    })
    void eachErrorClassHasItsHandling(ErrorClass c, int attempt, boolean retry) {
        assertEquals(
                retry, policy.decide(error(c, Duration.ofSeconds(2)), attempt).retry());
    }

    @Test
    void throttlingWaitsExactlyRetryAfter() {
        RetryPolicy.Decision d = policy.decide(error(ErrorClass.THROTTLED, Duration.ofSeconds(17)), 1);
        assertTrue(d.retry());
        assertEquals(Duration.ofSeconds(17), d.delay());
    }

    @Test
    void aLongRetryAfterBecomesABackoffNotABlockedThread() {
        RetryPolicy.Decision d = policy.decide(error(ErrorClass.THROTTLED, Duration.ofSeconds(1200)), 1);
        assertFalse(d.retry());
        assertEquals(Duration.ofSeconds(1200), d.backoffAtLeast());
    }

    @Test
    void throttlingWithoutRetryAfterWaitsThirtySeconds() {
        assertEquals(
                Duration.ofSeconds(30),
                policy.decide(error(ErrorClass.THROTTLED, null), 1).delay());
    }

    @Test
    void transientRetriesDoubleWithUpToHalfAgainOfJitter() {
        for (int i = 0; i < 50; i++) {
            Duration first = policy.decide(error(ErrorClass.TRANSIENT, null), 1).delay();
            Duration second =
                    policy.decide(error(ErrorClass.TRANSIENT, null), 2).delay();
            assertTrue(first.toMillis() >= 1000 && first.toMillis() <= 1500, first.toString());
            assertTrue(second.toMillis() >= 2000 && second.toMillis() <= 3000, second.toString());
        }
        RetryPolicy seeded1 = new RetryPolicy(new Random(1));
        RetryPolicy seeded2 = new RetryPolicy(new Random(1));
        assertEquals(
                seeded1.decide(error(ErrorClass.TRANSIENT, null), 1).delay(),
                seeded2.decide(error(ErrorClass.TRANSIENT, null), 1).delay(),
                "deterministic for a given seed");
    }

    @Test
    void conflictsAndPreemptionsRetryAtOnce() {
        assertEquals(
                Duration.ZERO,
                policy.decide(error(ErrorClass.CONFLICT, null), 1).delay());
        assertEquals(
                Duration.ZERO,
                policy.decide(error(ErrorClass.PREEMPTED, null), 1).delay());
    }
}
