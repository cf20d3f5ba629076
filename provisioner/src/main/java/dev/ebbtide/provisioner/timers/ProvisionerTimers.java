package dev.ebbtide.provisioner.timers;

import dev.ebbtide.provisioner.actuation.Provisioner;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The provisioner's periodic work: node polls (state changes) and reconciliation with the cloud. */
@ApplicationScoped
public class ProvisionerTimers {
    @Inject
    Provisioner provisioner;

    @Scheduled(every = "${ebbtide.node-poll-interval:250ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        provisioner.pollAll();
    }

    @Scheduled(every = "${ebbtide.provisioner.reconcile-interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        provisioner.reconcileAll();
    }
}
