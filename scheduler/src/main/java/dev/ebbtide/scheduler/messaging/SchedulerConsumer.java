package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.scheduler.service.SchedulerService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * One channel for every topic the scheduler reads, so one cluster's events are handled one at a time, in order,
 * and placement never races with itself.
 */
@ApplicationScoped
public class SchedulerConsumer {
    @Inject
    SchedulerService service;

    @Incoming("scheduler-in")
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        return service.handle(record.topic(), record.key(), record.value());
    }
}
