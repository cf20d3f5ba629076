package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.scheduler.service.SchedulerService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * One channel for every topic the scheduler reads, so events are handled in order and placement never races with
 * itself. Records come in batches (whatever one poll returned): one transaction and one outbox relay per batch.
 */
@ApplicationScoped
public class SchedulerConsumer {
    @Inject
    SchedulerService service;

    @Incoming("scheduler-in")
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<ConsumerRecord<String, String>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        return service.handleBatch(list);
    }
}
