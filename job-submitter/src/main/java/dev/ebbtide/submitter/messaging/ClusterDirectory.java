package dev.ebbtide.submitter.messaging;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The clusters that exist, read from the compacted clusters topic (from the start at every start-up) through the
 * shared consumer shape: a definition that cannot be read is dead-lettered with its original bytes, the rest applied.
 */
@ApplicationScoped
@Startup // its channel shows in the readiness check from the start
public class ClusterDirectory {
    public static final String CHANNEL = "clusters-in";
    private final Map<String, ClusterSpec> clusters = new ConcurrentHashMap<>();

    @Inject
    DeadLetters deadLetters;
    @Inject
    ConsumerHealth health;
    @Inject
    Clock clock;

    private EventConsumer consumer;

    @PostConstruct
    void init() {
        consumer = new EventConsumer(CHANNEL, deadLetters, health, clock, d -> Thread.sleep(d.toMillis()))
                .on(Topics.CLUSTERS, ClusterDefined.class, e -> clusters.put(e.spec().name(), e.spec()));
    }

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onRecord(ConsumerRecord<byte[], byte[]> record) {
        consumer.accept(record);
    }

    public Optional<ClusterSpec> find(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(clusters.keySet());
    }
}
