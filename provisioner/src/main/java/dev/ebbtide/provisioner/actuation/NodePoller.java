package dev.ebbtide.provisioner.actuation;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Compares node states with the cloud's on a fixed period and publishes the changes. */
@ApplicationScoped
public class NodePoller {
    @Inject
    Provisioner provisioner;

    @Scheduled(every = "${ebbtide.node-poll-interval:250ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        provisioner.pollAll();
    }
}
