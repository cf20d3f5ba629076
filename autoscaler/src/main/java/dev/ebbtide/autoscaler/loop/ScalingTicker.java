package dev.ebbtide.autoscaler.loop;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Re-decides every cluster on a fixed period, so idle timers expire without needing an event. */
@ApplicationScoped
public class ScalingTicker {
    @Inject
    Autoscaler autoscaler;

    @Scheduled(every = "${ebbtide.autoscaler.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        autoscaler.tick();
    }
}
