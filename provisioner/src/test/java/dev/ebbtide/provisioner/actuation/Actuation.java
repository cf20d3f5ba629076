package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.devsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/** The actuation layer wired for a test: a mutable clock, a sleeper that advances it, recorded events and meters. */
public final class Actuation {
    public final MutableClock clock = new MutableClock(Instant.now());
    public final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    public final Sleeper sleeper = d -> {
        sleeps.add(d);
        clock.advance(d);
    };
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final ProvisionerMetrics metrics = new ProvisionerMetrics(registry);
    public final RecordingEvents events = new RecordingEvents();
    public final ClusterBackoff backoff = new ClusterBackoff(clock);
    public final RetryPolicy retryPolicy = new RetryPolicy(new Random(42));
    public final CloudCaller caller = new CloudCaller(retryPolicy, sleeper, metrics, events);
    public final ScaleRequestLedger ledger = ScaleRequestLedger.inMemory(1000);
    public final ScaleRequestHandler handler = new ScaleRequestHandler(backoff, caller, ledger, events);
    public final Reconciler reconciler = new Reconciler(clock, Reconciler.Settings.defaults(), backoff, caller, events);
}
