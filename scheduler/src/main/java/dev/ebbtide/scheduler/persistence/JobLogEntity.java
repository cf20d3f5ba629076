package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/**
 * One chunk of one rank's output ({@code JobLogChunk}); the key (job, attempt, rank, seq) makes a redelivered chunk
 * a no-op. The text is kept as UTF-8 bytes ({@code bytea}: PostgreSQL text refuses NUL). A chunk beyond the rank's
 * size cap is counted (a row with {@code stored = false} and no data) but not kept. Written by
 * {@code dev.ebbtide.scheduler.logs.JobLogStore}.
 */
@Entity
@Table(name = "job_log")
@IdClass(JobLogEntity.Key.class)
public class JobLogEntity extends PanacheEntityBase {
    @Id
    @Column(name = "job_id")
    public String jobId;

    @Id
    @Column(name = "attempt")
    public int attempt;

    @Id
    @Column(name = "rank")
    public int rank;

    @Id
    @Column(name = "seq")
    public long seq;

    @Column(name = "node")
    public String node;

    @Column(name = "data", columnDefinition = "bytea")
    public byte[] data;
    /** The chunk's size in UTF-8 bytes, stored or not. */
    @Column(name = "size")
    public int size;

    @Column(name = "stored")
    public boolean stored;

    @Column(name = "at")
    public Instant at;

    /** The primary key: job, attempt, rank, seq. */
    public static class Key implements Serializable {
        public String jobId;
        public int attempt;
        public int rank;
        public long seq;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && k.jobId.equals(jobId)
                    && k.attempt == attempt
                    && k.rank == rank
                    && k.seq == seq;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(jobId, attempt, rank, seq);
        }
    }
}
