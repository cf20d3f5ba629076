package dev.ebbtide.messaging.ownership;

import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Connects a consumer group's rebalances to an {@link Ownership}. Register one per owning channel (a CDI bean with
 * {@code @Identifier}, named by {@code mp.messaging.incoming.<channel>.consumer-rebalance-listener.name}); the channel
 * must use the range assignor ({@code partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor}) so
 * partition {@code p} of every subscribed topic goes to the same instance (all cluster-keyed topics have the same
 * partition count). Only partitions of {@code topics} count (a channel may also read topics that are not cluster-owned).
 */
public class OwnershipListener implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(OwnershipListener.class);

    private final Ownership ownership;
    private final Set<String> topics;
    private final String channel;

    public OwnershipListener(String channel, Ownership ownership, Collection<String> topics) {
        this.channel = channel;
        this.ownership = ownership;
        this.topics = Set.copyOf(topics);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<Integer> numbers = numbers(partitions);
        if (numbers.isEmpty()) {
            return;
        }
        String topic = partitions.stream()
                .map(TopicPartition::topic)
                .filter(topics::contains)
                .findFirst()
                .orElseThrow();
        int count = consumer.partitionsFor(topic).size();
        LOG.infof("%s (%s): now owns partition(s) %s of %d", ownership.instance(), channel, numbers, count);
        ownership.assigned(numbers, count);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<Integer> numbers = numbers(partitions);
        if (numbers.isEmpty()) {
            return;
        }
        LOG.infof("%s (%s): gives up partition(s) %s", ownership.instance(), channel, numbers);
        ownership.revoked(numbers);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private Set<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream()
                .filter(tp -> topics.contains(tp.topic()))
                .map(TopicPartition::partition)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
