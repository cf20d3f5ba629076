package dev.ebbtide.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The one consumer shape: for each record, parse → validate ({@link RecordDecoder}) → apply. A record that cannot be
 * understood, or whose apply step keeps failing for a reason of its own, goes to its dead-letter topic with its
 * original bytes and the reason; a dependency that is down or slow ({@link Failures}) makes the channel wait and retry
 * with backoff, forever, saying so in {@link ConsumerHealth}. {@link #accept} returns only once the record was applied,
 * dead-lettered or skipped, so no record is lost and none can stop the channel. Blocking: call it from a worker thread
 * ({@code @Blocking(ordered = true)}), one record at a time.
 */
public final class EventConsumer {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    /** What a service does with one valid event. May throw; see {@link Failures} for how that is classified. */
    @FunctionalInterface
    public interface Apply<T> {
        void apply(T event) throws Exception;
    }

    /** Waits; tests pass one that records the waits and returns at once. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public enum Outcome {
        APPLIED,
        DEAD_LETTERED,
        SKIPPED
    }

    private record Route<T>(Class<T> type, Apply<T> apply) {}

    private final String channel;
    private final DeadLetters deadLetters;
    private final ConsumerHealth health;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, Route<?>> routes = new HashMap<>();
    private Backoff backoff = Backoff.DEFAULT;
    private Limits limits = Limits.DEFAULT;
    private int attempts = 3;
    private Duration deadLetterWait = Duration.ofSeconds(60);

    public EventConsumer(String channel, DeadLetters deadLetters, ConsumerHealth health, Clock clock, Sleeper sleeper) {
        this.channel = channel;
        this.deadLetters = deadLetters;
        this.health = health;
        this.clock = clock;
        this.sleeper = sleeper;
        health.consuming(channel);
    }

    /** Records of {@code topic} are read as {@code type} and applied with {@code apply}. */
    public <T> EventConsumer on(String topic, Class<T> type, Apply<T> apply) {
        routes.put(topic, new Route<>(type, apply));
        return this;
    }

    /**
     * Records of {@code topic} whose {@code ce_type} is {@code ceType} are read as {@code type} and applied with
     * {@code apply} (a topic that carries two versions of an event); other records of the topic take its
     * {@link #on(String, Class, Apply)} route, if any.
     */
    public <T> EventConsumer on(String topic, String ceType, Class<T> type, Apply<T> apply) {
        routes.put(topic + '\n' + ceType, new Route<>(type, apply));
        return this;
    }

    private Route<?> route(ConsumerRecord<byte[], byte[]> record) {
        String ceType = CloudEventHeaders.type(record.headers());
        if (ceType != null) {
            Route<?> typed = routes.get(record.topic() + '\n' + ceType);
            if (typed != null) {
                return typed;
            }
        }
        return routes.get(record.topic());
    }

    /** Backoff between retries, and how many times a non-transient failure is tried before the record is dead-lettered. */
    public EventConsumer retrying(Backoff backoff, int attempts) {
        this.backoff = backoff;
        this.attempts = Math.max(1, attempts);
        return this;
    }

    public EventConsumer limits(Limits limits) {
        this.limits = limits;
        return this;
    }

    /** Applies, dead-letters or skips the record; returns when that has happened. */
    public Outcome accept(ConsumerRecord<byte[], byte[]> record) {
        Route<?> route = route(record);
        if (route == null) {
            LOG.debugf("%s: no handler for %s; skipping offset %d", channel, record.topic(), record.offset());
            return Outcome.SKIPPED;
        }
        try {
            return accept(record, route);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    channel + ": interrupted while handling " + record.topic() + " offset " + record.offset()
                            + " (shutting down); it will be read again",
                    e);
        }
    }

    private <T> Outcome accept(ConsumerRecord<byte[], byte[]> record, Route<T> route) throws InterruptedException {
        Decoded<T> decoded = RecordDecoder.decode(
                record.topic(), record.key(), record.value(), record.headers(), route.type(), limits);
        if (decoded instanceof Decoded.Tombstone<T>) {
            return Outcome.SKIPPED;
        }
        if (decoded instanceof Decoded.Poison<T> poison) {
            return deadLetter(record, poison.reason());
        }
        T event = ((Decoded.Event<T>) decoded).value();
        int failures = 0;
        int waits = 0;
        while (true) {
            try {
                route.apply().apply(event);
                health.consuming(channel);
                return Outcome.APPLIED;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception | StackOverflowError e) {
                Optional<String> dependency = Failures.transientDependency(e);
                if (dependency.isPresent()) {
                    waits++;
                    health.waitingFor(channel, dependency.get(), clock.instant(), String.valueOf(e.getMessage()));
                    if (waits == 1 || waits % 20 == 0) {
                        LOG.warnf(
                                "%s: waiting for %s to apply %s offset %d (attempt %d): %s",
                                channel, dependency.get(), record.topic(), record.offset(), waits, e.getMessage());
                    }
                    sleeper.sleep(backoff.delay(waits));
                    continue;
                }
                failures++;
                if (failures >= attempts) {
                    return deadLetter(
                            record,
                            "could not be applied (" + attempts + " attempts): "
                                    + e.getClass().getSimpleName() + ": " + StrictJson.firstLine(e.getMessage()));
                }
                LOG.warnf(
                        "%s: applying %s offset %d failed (attempt %d of %d): %s",
                        channel, record.topic(), record.offset(), failures, attempts, e.getMessage());
                sleeper.sleep(backoff.delay(failures));
            }
        }
    }

    private Outcome deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) throws InterruptedException {
        LOG.warnf(
                "%s: dead-lettering %s partition %d offset %d: %s",
                channel, record.topic(), record.partition(), record.offset(), reason);
        int waits = 0;
        while (true) {
            try {
                deadLetters
                        .send(record, reason, channel)
                        .toCompletableFuture()
                        .get(deadLetterWait.toMillis(), TimeUnit.MILLISECONDS);
                health.consuming(channel);
                return Outcome.DEAD_LETTERED;
            } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                waits++;
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                health.waitingFor(
                        channel, Failures.KAFKA, clock.instant(), "dead letter not written: " + cause.getMessage());
                if (waits == 1 || waits % 20 == 0) {
                    LOG.warnf(
                            "%s: waiting for Kafka to take a dead letter (attempt %d): %s",
                            channel, waits, cause.getMessage());
                }
                sleeper.sleep(backoff.delay(waits));
            }
        }
    }
}
