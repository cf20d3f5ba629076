package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.scheduler.messaging.ClustersPosition;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Order across topics: a job may arrive before the definition of its cluster (two topics, no order between them).
 * Such a job waits ({@link Submissions#WAITING}); it is admitted as soon as the definition is read, and fails with
 * "unknown cluster" only once the scheduler has read {@code ebbtide.clusters} up to where it ended after the job
 * arrived ({@link ClustersPosition}). Checked every {@code ebbtide.scheduler.cluster-wait-check-interval} while jobs
 * wait, on a worker thread (the Kafka look-ups block).
 */
@ApplicationScoped
public class ClusterWait {
    private static final Logger LOG = Logger.getLogger(ClusterWait.class);

    @Inject
    ClustersPosition position;

    @Inject
    Submissions submissions;

    @Inject
    Outbox outbox;

    @Inject
    Placement placement;

    @Inject
    QueueIndex index;

    @Inject
    ClusterOwnership ownership;

    /** Partition of the clusters topic → the next offset after the last record handled (committed to PostgreSQL). */
    private final Map<Integer, Long> handled = new ConcurrentHashMap<>();
    /** Bumped when jobs may have started to wait; the check queries the database only when it moved. */
    private final AtomicLong wanted = new AtomicLong(1);

    private volatile long checked;

    /** Called after a batch committed, for each of its records. */
    void handled(ConsumerRecord<byte[], byte[]> record) {
        if (Topics.CLUSTERS.equals(record.topic())) {
            handled.merge(record.partition(), record.offset() + 1, Math::max);
        } else if (Topics.isSubmissions(record.topic())) {
            wanted.incrementAndGet();
        }
    }

    /** Partitions were gained: jobs of their clusters may be waiting (left by the instance that owned them). */
    void recheck() {
        wanted.incrementAndGet();
    }

    @Scheduled(
            every = "${ebbtide.scheduler.cluster-wait-check-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        long generation = wanted.get();
        if (generation == checked) {
            return;
        }
        try {
            // only the clusters this instance owns; the others' owners settle theirs
            List<String> waiting =
                    VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> JobEntity.<JobEntity>list(
                                    "state = ?1 and reason = ?2", JobState.NotStarted, Submissions.WAITING))
                            .map(jobs -> jobs.stream()
                                    .filter(j -> ownership.owns(j.cluster))
                                    .map(j -> j.id)
                                    .toList()));
            if (waiting.isEmpty()) {
                checked = generation;
                return;
            }
            if (!position.caughtUp(Map.copyOf(handled))) {
                return; // the definitions may still come; looked at again next time
            }
            Outgoing out = new Outgoing();
            VertxContextSupport.subscribeAndAwait(() -> ownership
                    .acting(() -> Panache.withTransaction(() -> index.ready()
                                    .chain(() -> submissions.settleWaiting(waiting, out))
                                    .chain(() -> placement.placeTouched(out))
                                    .chain(() -> out.storeIn(outbox)))
                            .onFailure()
                            .invoke(e -> out.undo()))
                    .chain(outbox::relay));
        } catch (Throwable e) {
            LOG.warnf("checking jobs that wait for their cluster's definition failed, will retry: %s", e.toString());
        }
    }
}
