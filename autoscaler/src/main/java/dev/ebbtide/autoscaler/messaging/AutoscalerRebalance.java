package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.loop.OwnedClusters;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.EventConsumer;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.messaging.ownership.OwnershipListener;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The owning channel's rebalance listener. On assignment: the partitions become owned (not yet decided for), their
 * clusters' state is rebuilt by replaying the assigned partitions from the beginning ({@link PartitionReplay}, once
 * the cluster definitions have been read), the channel is moved to where the replay ended, and only then does the
 * instance decide for those clusters. On revocation: {@link OwnedClusters#revoked} stops deciding, waits for a tick in
 * progress and for the scale requests already sent, and drops the clusters' state. Offsets committed by the group are
 * never relied on. Runs on the channel's polling thread: the group's rebalance waits for it.
 */
public class AutoscalerRebalance extends OwnershipListener {
    private static final Logger LOG = Logger.getLogger(AutoscalerRebalance.class);
    /** The bean's {@code @Identifier}, named by {@code consumer-rebalance-listener.name} of the owning channel. */
    public static final String NAME = "autoscaler-in-ownership";
    /** The cluster-keyed topics of the owning channel. */
    public static final List<String> TOPICS =
            List.of(Topics.CLUSTERS_DEMAND, Topics.NODES_STATE, Topics.CLUSTERS_BACKOFF);

    private final OwnedClusters owned;
    private final Replayed replayed;
    private final Supplier<EventConsumer> replayConsumer;
    private final CatchUp definitions;
    private final Map<String, Object> connection;
    Duration replayTimeout = Duration.ofSeconds(60);
    Duration definitionsWait = Duration.ofSeconds(30);
    Duration retryWait = Duration.ofSeconds(2);

    public AutoscalerRebalance(
            Ownership ownership,
            OwnedClusters owned,
            Replayed replayed,
            Supplier<EventConsumer> replayConsumer,
            CatchUp definitions,
            Map<String, Object> connection) {
        super(AutoscalerConsumer.CHANNEL, ownership, TOPICS);
        this.owned = owned;
        this.replayed = replayed;
        this.replayConsumer = replayConsumer;
        this.definitions = definitions;
        this.connection = connection;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<TopicPartition> mine =
                partitions.stream().filter(tp -> TOPICS.contains(tp.topic())).toList();
        if (mine.isEmpty()) {
            return;
        }
        super.onPartitionsAssigned(consumer, partitions); // owned from now on, not yet decided for
        Set<Integer> numbers =
                mine.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
        owned.forget(numbers); // whatever a stale record left since the last revocation
        waitForDefinitions();
        Map<TopicPartition, Long> ends = replay(mine);
        replayed.upTo(ends);
        ends.forEach(consumer::seek);
        owned.caughtUp(numbers);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        replayed.forget(partitions); // first: no record of them is applied after this, none is being applied
        super.onPartitionsRevoked(consumer, partitions); // not owned, no decision in flight, state dropped
    }

    private void waitForDefinitions() {
        try {
            if (!definitions.await(definitionsWait)) {
                LOG.warnf(
                        "cluster definitions not all read within %s: replaying anyway (traffic of a cluster not yet "
                                + "defined is ignored)",
                        definitionsWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Replays until it succeeds: the partitions are owned, and a cluster is never decided for from half its past. */
    private Map<TopicPartition, Long> replay(List<TopicPartition> partitions) {
        long started = System.nanoTime();
        while (true) {
            EventConsumer apply = replayConsumer.get();
            try {
                Map<TopicPartition, Long> ends =
                        PartitionReplay.replay(connection, partitions, replayTimeout, apply::accept);
                LOG.infof("replayed %s up to %s in %d ms", partitions, ends, (System.nanoTime() - started) / 1_000_000);
                return ends;
            } catch (RuntimeException e) {
                LOG.warnf("cannot replay %s (%s): trying again in %s", partitions, e.getMessage(), retryWait);
                owned.forget(partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
                try {
                    Thread.sleep(retryWait.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while replaying " + partitions, ie);
                }
            }
        }
    }
}
