package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.scheduler.service.SchedulerService;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * One channel for every topic the scheduler reads, so events are handled in order and placement never races with
 * itself. Records come in batches (whatever one poll returned) as bytes: the service decodes each one
 * (messaging-support's consumer shape), handles the batch in one transaction and relays the outbox once.
 */
@ApplicationScoped
@Startup // its channel shows in the readiness check from the start
public class SchedulerConsumer {
    @Inject
    SchedulerService service;

    @Inject
    ConsumerHealth health;

    @PostConstruct
    void init() {
        health.consuming(SchedulerService.CHANNEL);
    }

    @Incoming(SchedulerService.CHANNEL)
    public Uni<Void> consume(ConsumerRecords<byte[], byte[]> records) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        return service.handleBatch(list);
    }
}
