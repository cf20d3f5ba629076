package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one cloud step under the {@link RetryPolicy}: each failure is counted, reported and either retried after the
 * policy's wait or returned. A step re-reads what it needs on every attempt (that is the conflict handling).
 */
public final class CloudCaller {

    private static final Logger LOG = Logger.getLogger(CloudCaller.class);

    /** The last failure and the minimum backoff the cloud asked for, or a value. */
    public record Result<T>(T value, CloudException failure, Duration backoffAtLeast, int attempts) {
        public boolean failed() {
            return failure != null;
        }
    }

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final ProvisionerMetrics metrics;
    private final ProvisionerEvents events;

    public CloudCaller(RetryPolicy policy, Sleeper sleeper, ProvisionerMetrics metrics, ProvisionerEvents events) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.metrics = metrics;
        this.events = events;
    }

    public <T> Result<T> call(String cluster, String what, Supplier<T> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return new Result<>(step.get(), null, null, attempt);
            } catch (CloudException e) {
                metrics.cloudError(cluster, e.errorClass());
                events.cloudError(cluster, e.errorClass(), e.getMessage());
                RetryPolicy.Decision d = policy.decide(e, attempt);
                if (!d.retry()) {
                    LOG.warnf(
                            "cluster %s: %s gave up after %d attempt(s): %s [%s]",
                            cluster, what, attempt, e.getMessage(), e.errorClass());
                    return new Result<>(null, e, d.backoffAtLeast(), attempt);
                }
                LOG.infof("cluster %s: %s failed [%s], retrying in %s", cluster, what, e.errorClass(), d.delay());
                try {
                    if (!d.delay().isZero()) {
                        sleeper.sleep(d.delay());
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new Result<>(null, e, d.backoffAtLeast(), attempt);
                }
            }
        }
    }

    public Result<Void> run(String cluster, String what, Runnable step) {
        return call(cluster, what, () -> {
            step.run();
            return null;
        });
    }
}
