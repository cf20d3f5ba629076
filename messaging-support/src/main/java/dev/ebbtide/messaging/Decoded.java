package dev.ebbtide.messaging;

/**
 * What a record's bytes turned out to be: an event that passed every check, a tombstone on a compacted topic, or
 * poison with the one-sentence reason it was refused.
 */
public sealed interface Decoded<T> {

    /** A readable, valid event. {@code ceId} is the CloudEvents id when the record had one, else null. */
    record Event<T>(T value, String ceId) implements Decoded<T> {}

    /** A null value on a compacted topic: the key's earlier records are deleted; nothing to apply. */
    record Tombstone<T>() implements Decoded<T> {}

    /** A record that cannot be understood; it goes to its dead-letter topic with {@code reason}. */
    record Poison<T>(String reason) implements Decoded<T> {}
}
