package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The SDK pipeline's view of ARM's limits: every write waits its turn at the {@link ArmWriteLimiter}, every answer
 * feeds it ({@code x-ms-ratelimit-remaining-subscription-writes}, 429 + {@code Retry-After}). The 429 itself still
 * reaches the caller, where {@link AzureTranslation} makes it a {@code throttled} error (the SDK's own retries are
 * off).
 */
public final class ArmThrottlePolicy implements HttpPipelinePolicy {

    static final String REMAINING_WRITES = "x-ms-ratelimit-remaining-subscription-writes";

    private final ArmWriteLimiter limiter;

    public ArmThrottlePolicy(ArmWriteLimiter limiter) {
        this.limiter = limiter;
    }

    static boolean isWrite(HttpMethod method) {
        return method == HttpMethod.PUT
                || method == HttpMethod.PATCH
                || method == HttpMethod.POST
                || method == HttpMethod.DELETE;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        boolean write = isWrite(context.getHttpRequest().getHttpMethod());
        Mono<HttpResponse> send = Mono.defer(next::process)
                .doOnNext(r -> observe(write, r))
                .doOnError(e -> {
                    if (write) {
                        limiter.answered(0, null, null); // no answer (a dropped connection): no longer in flight
                    }
                });
        if (!write) {
            return send;
        }
        return Mono.fromCallable(() -> {
                    limiter.awaitTurn();
                    return Boolean.TRUE;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .then(send);
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        boolean write = isWrite(context.getHttpRequest().getHttpMethod());
        if (write) {
            try {
                limiter.awaitTurn();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(
                        new InterruptedIOException("interrupted waiting for ARM's write budget"));
            }
        }
        HttpResponse r;
        try {
            r = next.processSync();
        } catch (RuntimeException e) {
            if (write) {
                limiter.answered(0, null, null); // no answer (a dropped connection): no longer in flight
            }
            throw e;
        }
        observe(write, r);
        return r;
    }

    private void observe(boolean write, HttpResponse r) {
        if (!write) {
            if (r.getStatusCode() == 429) {
                limiter.readThrottled();
            }
            return;
        }
        String remaining = r.getHeaderValue(REMAINING_WRITES);
        Long count = remaining != null && remaining.strip().matches("\\d+") ? Long.valueOf(remaining.strip()) : null;
        Duration retryAfter = r.getStatusCode() == 429 ? AzureTranslation.retryAfter(r, null) : null;
        limiter.answered(r.getStatusCode(), count, retryAfter);
    }
}
