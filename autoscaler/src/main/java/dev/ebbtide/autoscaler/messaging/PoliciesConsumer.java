package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.policy.PolicyBook;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Policy versions, read whole by every instance (a group of its own): a version recorded by any instance is seen by
 * all, so the owner of a cluster names the right version in its decisions and any instance numbers the next one.
 */
@ApplicationScoped
@Startup
public class PoliciesConsumer {
    public static final String CHANNEL = "policies-in";

    @Inject
    DeadLetters deadLetters;

    @Inject
    ConsumerHealth health;

    @Inject
    Clock clock;

    @Inject
    PolicyBook book;

    private EventConsumer consumer;

    @PostConstruct
    void init() {
        consumer = new EventConsumer(CHANNEL, deadLetters, health, clock, d -> Thread.sleep(d.toMillis()))
                .on(Topics.POLICIES, PolicyHistory.class, book::observed);
    }

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<byte[], byte[]> record) {
        consumer.accept(record);
    }
}
