package dev.ebbtide.common.endpoint;

import java.time.Duration;

/**
 * A deployment's {@code request_settings}, with Azure ML's defaults for what is not written.
 *
 * @param requestTimeout                   {@code request_timeout_ms}: a request that takes longer is answered 408
 *                                         (default 5000 ms, at most 180000 ms)
 * @param maxConcurrentRequestsPerInstance {@code max_concurrent_requests_per_instance} (default 1)
 * @param maxQueueWait                     {@code max_queue_wait_ms}: how long a request may wait for a free instance
 *                                         (default 500 ms)
 */
public record RequestSettings(Duration requestTimeout, int maxConcurrentRequestsPerInstance, Duration maxQueueWait) {
    public static final RequestSettings DEFAULTS =
            new RequestSettings(Duration.ofMillis(5000), 1, Duration.ofMillis(500));
}
