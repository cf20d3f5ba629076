package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An event decided in a transaction, stored in the same transaction, sent to Kafka after it commits and then
 * deleted. A crash between commit and send loses nothing: the relay sends what is left, in {@code id} order.
 */
@Entity
@Table(name = "outbox")
public class OutboxEntity extends PanacheEntityBase {
    @Id
    @SequenceGenerator(name = "outbox_seq", sequenceName = "outbox_seq", allocationSize = 50)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "outbox_seq")
    public Long id;
    /** {@code job-state}, {@code job-assignments}, {@code cluster-demand} or {@code dead-letters}. */
    public String channel;
    /** For dead letters: the topic the bad record came from. */
    public String sourceTopic;

    @Column(name = "record_key")
    public String key;

    @Column(columnDefinition = "text")
    public String payload;
    /** For dead letters: why. */
    @Column(length = 4000)
    public String reason;

    public Instant createdAt;
    /** For dead letters: the original key, value and headers as bytes ({@code bytea}), never read as text. */
    @Column(name = "dl_key", columnDefinition = "bytea")
    public byte[] deadLetterKey;

    @Column(name = "dl_value", columnDefinition = "bytea")
    public byte[] deadLetterValue;

    @Column(name = "dl_headers", columnDefinition = "bytea")
    public byte[] deadLetterHeaders;
    /** For dead letters: where the record was ({@code -1} when unknown). */
    public Integer sourcePartition;

    public Long sourceOffset;
}
