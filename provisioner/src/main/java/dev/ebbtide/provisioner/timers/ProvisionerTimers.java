package dev.ebbtide.provisioner.timers;

import dev.ebbtide.provisioner.actuation.Provisioner;
import dev.ebbtide.provisioner.config.ProvisionerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The provisioner's periodic work: node polls and the lost-node check (sub-second, so a booted node is seen at once;
 * Quarkus's scheduler does not run faster than once a second) and reconciliation with the cloud. The intervals and
 * their defaults are {@link ProvisionerConfig}'s (the {@code ${...}} expressions name its keys without a default).
 */
@ApplicationScoped
public class ProvisionerTimers {
    private static final Logger LOG = Logger.getLogger(ProvisionerTimers.class);

    @Inject
    Provisioner provisioner;

    @Inject
    dev.ebbtide.provisioner.quota.Quotas quotas;

    @Inject
    ProvisionerConfig config;

    private ScheduledExecutorService poller;

    void start(@Observes StartupEvent ignored) {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ebbtide-node-poll");
            t.setDaemon(true);
            return t;
        });
        Duration pollInterval = config.nodePollInterval();
        poller.scheduleWithFixedDelay(
                this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    private void poll() {
        try {
            provisioner.pollAll();
            provisioner.tick();
        } catch (RuntimeException e) {
            LOG.warnf("node poll failed: %s", e.toString()); // the next poll tries again
        }
    }

    @Scheduled(
            every = "${ebbtide.provisioner.reconcile-interval}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        provisioner.reconcileAll();
    }

    /** Waiting clusters that now fit are let go (quota raised in Azure, or cores freed); the quota gauges refresh. */
    @Scheduled(
            every = "${ebbtide.quota.recheck-interval}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recheckQuota() {
        quotas.refresh();
    }
}
