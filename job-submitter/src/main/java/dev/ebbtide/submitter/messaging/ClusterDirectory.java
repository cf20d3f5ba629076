package dev.ebbtide.submitter.messaging;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
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
    static final Duration CATCH_UP_WAIT = Duration.ofSeconds(5);
    private final Map<String, ClusterSpec> clusters = new ConcurrentHashMap<>();
    /** Partition → the next offset after the last record read. */
    private final Map<Integer, Long> read = new ConcurrentHashMap<>();

    @Inject
    DeadLetters deadLetters;

    @Inject
    ConsumerHealth health;

    @Inject
    Clock clock;

    @Inject
    ClustersEnd end;

    private EventConsumer consumer;

    @PostConstruct
    void init() {
        consumer = new EventConsumer(CHANNEL, deadLetters, health, clock, d -> Thread.sleep(d.toMillis()))
                .on(
                        Topics.CLUSTERS,
                        ClusterDefined.class,
                        e -> clusters.put(e.spec().name(), e.spec()));
    }

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onRecord(ConsumerRecord<byte[], byte[]> record) {
        try {
            consumer.accept(record);
        } finally {
            read.merge(record.partition(), record.offset() + 1, Math::max);
        }
    }

    /**
     * Completes once this directory has read the clusters topic up to where it ends now (at most
     * {@link #CATCH_UP_WAIT}; the answer is then whatever was read), so a cluster defined a moment ago through another
     * service is known. The broker look-up and the wait block: they run on a worker thread.
     */
    public Uni<Void> caughtUp() {
        return Uni.createFrom()
                .item(() -> {
                    Map<Integer, Long> ends = end.ends(CATCH_UP_WAIT);
                    long deadline = System.nanoTime() + CATCH_UP_WAIT.toNanos();
                    while (ends.entrySet().stream().anyMatch(e -> read.getOrDefault(e.getKey(), 0L) < e.getValue())
                            && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    return (Void) null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    public Optional<ClusterSpec> find(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(clusters.keySet());
    }
}
