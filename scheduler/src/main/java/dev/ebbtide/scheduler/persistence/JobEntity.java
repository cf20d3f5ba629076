package dev.ebbtide.scheduler.persistence;

import dev.ebbtide.common.events.JobState;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A job and its state; the scheduler owns job state. */
@Entity
@Table(name = "job")
public class JobEntity extends PanacheEntityBase {
    @Id
    public String id;

    public String cluster;

    @Enumerated(EnumType.STRING)
    public JobState state;

    @Column(length = 2000)
    public String reason;

    public int instanceCount;
    public String priority;
    /**
     * FIFO order within a priority: the scheduler's own intake sequence (microseconds of its clock when it took the
     * job, kept increasing: {@code QueueIndex.nextSequence}), never the producer's {@code submittedAt}. Rows stored
     * before that (up to 0.1) hold their submission time, which is the same scale.
     */
    public long sequence;

    @Column(length = 16000)
    public String specJson;
    /** Assigned nodes in rank order, comma-separated. */
    @Column(length = 4000)
    public String nodes;
    /** Ranks that reported an exit, comma-separated. */
    @Column(length = 2000)
    public String exitedRanks;

    public Integer exitCode;
    /** How many times the job was placed (1 = first try); requeues after a lost node increase it. */
    public int attempt;

    @Column(length = 2000)
    public String outputLocation;

    public Instant submittedAt;
    /** Who submitted it through the REST API (null when unknown, e.g. written straight to Kafka). */
    public String submittedBy;
    /**
     * The team the job belongs to (docs/teams.md): the REST caller's token's, or the Kafka producer principal's. The
     * column is added by the schema update with {@code default}, so jobs stored before teams existed are the default
     * team's.
     */
    @Column(length = 64, columnDefinition = "varchar(64) default 'default'")
    public String team;

    public Instant startedAt;
    public Instant endedAt;
    public Instant updatedAt;
    /** The parsed spec when this object was built from a submission (not stored; null when loaded). */
    @jakarta.persistence.Transient
    public dev.ebbtide.common.events.JobSpec spec;

    public List<String> nodeList() {
        return nodes == null || nodes.isEmpty() ? List.of() : Arrays.asList(nodes.split(","));
    }

    public List<String> exitedRankList() {
        return exitedRanks == null || exitedRanks.isEmpty() ? List.of() : Arrays.asList(exitedRanks.split(","));
    }

    public static Uni<List<JobEntity>> queued(String cluster) {
        return list("cluster = ?1 and state = ?2", cluster, JobState.Queued);
    }
}
