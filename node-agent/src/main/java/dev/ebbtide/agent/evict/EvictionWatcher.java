package dev.ebbtide.agent.evict;

import dev.ebbtide.agent.AgentLog;
import dev.ebbtide.common.azure.ScheduledEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Polls the Scheduled Events source on a thread of its own (never the agent's loop thread) and keeps the first
 * {@code Preempt} event for this VM; sends the acknowledgement when the agent asks for it (retried every poll until
 * it is taken). A source that cannot be read is logged once per change of its problem, never per poll.
 */
public final class EvictionWatcher {
    private final ScheduledEventsSource source;
    private final String vmName;
    private final Duration interval;
    private final AtomicReference<ScheduledEvents.Event> preempt = new AtomicReference<>();
    private final AtomicReference<String> ackWanted = new AtomicReference<>();
    private volatile boolean acknowledged;
    private volatile boolean stopped;
    private String lastProblem;
    private Thread thread;

    public EvictionWatcher(ScheduledEventsSource source, String vmName, Duration interval) {
        this.source = source;
        this.vmName = vmName;
        this.interval = interval;
    }

    public void start() {
        AgentLog.info("watching scheduled events at " + source.describe() + " every " + interval.toMillis() + " ms");
        thread = new Thread(this::loop, "scheduled-events");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The Preempt event seen for this VM, or null. */
    public ScheduledEvents.Event preempt() {
        return preempt.get();
    }

    /** Asks for the event to be acknowledged (at the next poll, and again until it is taken). */
    public void acknowledge(String eventId) {
        ackWanted.compareAndSet(null, eventId);
    }

    public boolean acknowledged() {
        return acknowledged;
    }

    /** One poll: read the document, then send a pending acknowledgement (visible for tests). */
    void pollOnce() {
        try {
            if (preempt.get() == null) {
                ScheduledEvents.preempt(ScheduledEvents.parse(source.fetch()), vmName)
                        .ifPresent(preempt::set);
            }
            String id = ackWanted.get();
            if (id != null && !acknowledged) {
                source.acknowledge(ScheduledEvents.acknowledgement(id));
                acknowledged = true;
                AgentLog.info("scheduled event " + id + " acknowledged: the VM may be evicted now");
            }
            lastProblem = null;
        } catch (IOException | IllegalArgumentException e) {
            String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!problem.equals(lastProblem)) {
                AgentLog.warn("cannot read or acknowledge scheduled events at " + source.describe() + ": " + problem);
            }
            lastProblem = problem;
        }
    }

    private void loop() {
        while (!stopped) {
            pollOnce();
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
