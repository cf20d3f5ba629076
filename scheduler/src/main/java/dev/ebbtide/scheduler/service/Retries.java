package dev.ebbtide.scheduler.service;

import dev.ebbtide.messaging.Backoff;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.Failures;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The consumer shape's retry rule for the scheduler's reactive channels (messaging-support's {@code EventConsumer} is
 * blocking): a transient failure ({@link Failures#transientDependency}: PostgreSQL or Kafka unavailable or slow) is
 * waited for with capped backoff, forever, and the channel says so in {@link ConsumerHealth}; any other failure gets
 * {@code attempts} tries, then {@code giveUp}. Retries go on on the caller's Vert.x context (Hibernate Reactive needs it).
 */
@ApplicationScoped
public class Retries {
    private static final Logger LOG = Logger.getLogger(Retries.class);

    @Inject
    ConsumerHealth health;

    @Inject
    Clock clock;

    @Inject
    SchedulerConfig config;

    /** Runs {@code work} (a fresh attempt each call) until it succeeds or {@code giveUp} has answered. */
    public Uni<Void> run(
            String channel,
            String what,
            int attempts,
            Supplier<Uni<Void>> work,
            Function<Throwable, Uni<Void>> giveUp) {
        return attempt(channel, what, Math.max(1, attempts), work, giveUp, Vertx.currentContext(), 0, 0);
    }

    private Uni<Void> attempt(
            String channel,
            String what,
            int attempts,
            Supplier<Uni<Void>> work,
            Function<Throwable, Uni<Void>> giveUp,
            Context context,
            int failures,
            int waits) {
        return Uni.createFrom().<Void>deferred(work::get).onFailure().recoverWithUni(e -> {
            // a refused connection carries no library name; the scheduler's retried work is its database work
            // (a Kafka failure names itself), so "a dependency" is PostgreSQL here
            Optional<String> dependency =
                    Failures.transientDependency(e).map(d -> d.equals("a dependency") ? "PostgreSQL" : d);
            Backoff backoff =
                    new Backoff(Duration.ofMillis(200), config.scheduler().retryMaxWait());
            if (dependency.isPresent()) {
                health.waitingFor(channel, dependency.get(), clock.instant(), String.valueOf(e.getMessage()));
                if (waits == 0 || (waits + 1) % 20 == 0) {
                    LOG.warnf(
                            "%s: waiting for %s to handle %s (attempt %d): %s",
                            channel, dependency.get(), what, waits + 1, e.getMessage());
                }
                return delay(context, backoff.delay(waits + 1))
                        .chain(() -> attempt(channel, what, attempts, work, giveUp, context, failures, waits + 1));
            }
            if (failures + 1 >= attempts) {
                return giveUp.apply(e);
            }
            LOG.warnf(
                    "%s: handling %s failed (attempt %d of %d): %s",
                    channel, what, failures + 1, attempts, e.toString());
            return delay(context, backoff.delay(failures + 1))
                    .chain(() -> attempt(channel, what, attempts, work, giveUp, context, failures + 1, waits));
        });
    }

    /** Completes after {@code wait}, back on {@code context} when there is one. */
    static Uni<Void> delay(Context context, Duration wait) {
        Uni<Void> later = Uni.createFrom().voidItem().onItem().delayIt().by(wait);
        return context == null ? later : later.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
}
