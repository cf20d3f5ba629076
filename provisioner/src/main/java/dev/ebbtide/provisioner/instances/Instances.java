package dev.ebbtide.provisioner.instances;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.ComputeInstance;
import dev.ebbtide.common.azureml.CronExpression;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.core.instance.InstanceEvent;
import dev.ebbtide.core.instance.InstanceLifecycle;
import dev.ebbtide.core.instance.InstanceOutcome;
import dev.ebbtide.core.instance.InstanceSnapshot;
import dev.ebbtide.core.instance.InstanceState;
import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Drives each compute instance through the pure {@link InstanceLifecycle}: requests (operators), schedules (cron),
 * time (idle shutdown) and its node's states in; the provider's start/stop/delete of the one node out. The node is
 * named as the instance and joins like an attached machine (the provisioner's {@code NodeBook}), so the scheduler
 * places jobs on it like on any node. Thread-safe: one lock; provider calls are made outside it, in request order.
 */
public class Instances {
    private static final Logger LOG = Logger.getLogger(Instances.class);

    /** An instance as {@code GET /computes} shows it. */
    public record View(
            String name,
            InstanceState state,
            String reason,
            Instant since,
            Long idleTimeBeforeShutdownSeconds,
            Instant idleShutdownAt,
            List<ComputeInstance.Schedule> schedules) {}

    private record Entry(ClusterSpec spec, InstanceSnapshot snapshot) {}

    /** Told every state change of an instance (under the lock: keep it short, no blocking I/O). */
    @FunctionalInterface
    public interface Listener {
        void changed(String name, InstanceSnapshot instance);
    }

    private final InstanceNodes nodes;
    private volatile Listener listener = (name, instance) -> {};
    private volatile java.util.function.Consumer<String> beforeNodeStops = name -> {};
    private final Clock clock;
    private final Map<String, Entry> instances = new LinkedHashMap<>();
    /** Lifecycle states taken over from durable records, waiting for their instances' definitions. */
    private final Map<String, InstanceSnapshot> restored = new LinkedHashMap<>();

    private Instant lastScheduleCheck;

    public Instances(InstanceNodes nodes, Clock clock) {
        this.nodes = nodes;
        this.clock = clock;
        this.lastScheduleCheck = clock.instant();
    }

    /** An instance was defined: created at once (a redefinition keeps its state, takes the new settings). */
    public void defined(ClusterSpec spec) {
        InstanceOutcome o;
        synchronized (this) {
            Entry e = instances.get(spec.name());
            Long idle = spec.instance() == null ? null : spec.instance().idleTimeBeforeShutdownSeconds();
            Duration idleShutdown = idle == null ? null : Duration.ofSeconds(idle);
            if (e == null && restored.containsKey(spec.name())) { // taken over from another provisioner instance
                e = new Entry(spec, restored.remove(spec.name()));
                instances.put(spec.name(), e);
                LOG.infof(
                        "instance %s: taken over in state %s (%s)",
                        spec.name(), e.snapshot().state(), e.snapshot().reason());
            }
            if (e != null) {
                InstanceSnapshot s = e.snapshot();
                instances.put(
                        spec.name(),
                        new Entry(
                                spec,
                                new InstanceSnapshot(
                                        s.name(), s.state(), s.since(), s.idleSince(), idleShutdown, s.reason())));
                return;
            }
            instances.put(
                    spec.name(), new Entry(spec, InstanceSnapshot.defined(spec.name(), idleShutdown, clock.instant())));
            o = decide(spec.name(), new InstanceEvent.Create());
        }
        act(spec.name(), o);
    }

    /**
     * An instance's lifecycle state from its cluster's durable record (a takeover): used when the instance is next
     * defined, instead of creating it again. One caught while {@code Creating} is created again (idempotent).
     */
    public synchronized void restore(String name, ProvisionerClusterState.Instance recorded) {
        InstanceState state;
        try {
            state = InstanceState.valueOf(recorded.state());
        } catch (IllegalArgumentException | NullPointerException e) {
            return; // a state this version does not know: created again
        }
        if (state == InstanceState.Creating || state == InstanceState.Deleted) {
            return;
        }
        restored.put(
                name,
                new InstanceSnapshot(name, state, recorded.since(), recorded.idleSince(), null, recorded.reason()));
    }

    /** The instance's lifecycle state for its durable record, if it is an instance this provisioner drives. */
    public synchronized Optional<ProvisionerClusterState.Instance> record(String name) {
        Entry e = instances.get(name);
        if (e == null) {
            return Optional.empty();
        }
        InstanceSnapshot s = e.snapshot();
        return Optional.of(
                new ProvisionerClusterState.Instance(s.state().name(), s.since(), s.idleSince(), s.reason()));
    }

    /** Another provisioner instance drives it from now on: forgotten here, its node left as it is. */
    public synchronized void forget(String name) {
        instances.remove(name);
        restored.remove(name);
    }

    public void listener(Listener listener) {
        this.listener = listener;
    }

    /** Called (outside the lock) just before the instance's node is stopped or deleted, with the instance's name. */
    public void beforeNodeStops(java.util.function.Consumer<String> hook) {
        this.beforeNodeStops = hook;
    }

    public synchronized boolean isInstance(String name) {
        return instances.containsKey(name);
    }

    /**
     * An operator's request.
     *
     * @return empty if no such instance; else the outcome (with a refusal sentence when refused)
     */
    public Optional<InstanceOutcome> request(String name, InstanceEvent event) {
        InstanceOutcome o;
        synchronized (this) {
            if (!instances.containsKey(name)) {
                return Optional.empty();
            }
            o = decide(name, event);
        }
        act(name, o);
        return Optional.of(o);
    }

    /** The instance's node changed state (as the provisioner published it). */
    public void nodeState(String cluster, NodeState state, String reason) {
        synchronized (this) {
            if (!instances.containsKey(cluster)) {
                return;
            }
            switch (state) {
                case idle -> {
                    decide(cluster, new InstanceEvent.NodeUp());
                    decide(cluster, new InstanceEvent.NodeBusy(false));
                }
                case running -> {
                    decide(cluster, new InstanceEvent.NodeUp());
                    decide(cluster, new InstanceEvent.NodeBusy(true));
                }
                case lost, deleted, unusable ->
                    decide(cluster, new InstanceEvent.NodeDown(reason == null ? state.name() : reason));
                default -> {}
            }
        }
    }

    /** Time passes: idle shutdowns and the schedules that fired since the last tick. */
    public void tick() {
        Instant now = clock.instant();
        List<Map.Entry<String, InstanceOutcome>> todo = new ArrayList<>();
        synchronized (this) {
            Instant from = lastScheduleCheck;
            lastScheduleCheck = now;
            for (Entry e : List.copyOf(instances.values())) {
                String name = e.spec().name();
                for (ComputeInstance.Schedule s : e.spec().instance() == null
                        ? List.<ComputeInstance.Schedule>of()
                        : e.spec().instance().schedules()) {
                    if (s.enabled()
                            && CronExpression.parse(s.expression()).firedBetween(from, now, zone(s.timeZone()))) {
                        InstanceEvent.Source src = InstanceEvent.Source.SCHEDULE;
                        todo.add(Map.entry(
                                name,
                                decide(
                                        name,
                                        s.action().equals("start")
                                                ? new InstanceEvent.Start(src)
                                                : new InstanceEvent.Stop(src))));
                    }
                }
                todo.add(Map.entry(name, decide(name, new InstanceEvent.Tick())));
            }
        }
        todo.forEach(t -> act(t.getKey(), t.getValue()));
    }

    public synchronized List<View> views() {
        return instances.values().stream().map(Instances::view).toList();
    }

    public synchronized Optional<View> view(String name) {
        return Optional.ofNullable(instances.get(name)).map(Instances::view);
    }

    private static View view(Entry e) {
        InstanceSnapshot s = e.snapshot();
        ComputeInstance ci = e.spec().instance();
        return new View(
                s.name(),
                s.state(),
                s.reason(),
                s.since(),
                ci == null ? null : ci.idleTimeBeforeShutdownSeconds(),
                InstanceLifecycle.nextCheckAt(s),
                ci == null ? List.of() : ci.schedules());
    }

    /** Applies one event under the lock; the actions are carried out by {@link #act} outside it. */
    private InstanceOutcome decide(String name, InstanceEvent event) {
        Entry e = instances.get(name);
        InstanceOutcome o = InstanceLifecycle.apply(e.snapshot(), event, clock.instant());
        if (o.instance().state() != e.snapshot().state()) {
            LOG.infof(
                    "instance %s: %s -> %s (%s)",
                    name,
                    e.snapshot().state(),
                    o.instance().state(),
                    o.instance().reason());
        }
        instances.put(name, new Entry(e.spec(), o.instance()));
        if (o.instance().state() != e.snapshot().state()) {
            listener.changed(name, o.instance());
        }
        return o;
    }

    private void act(String name, InstanceOutcome o) {
        ClusterSpec spec;
        synchronized (this) {
            spec = instances.get(name).spec();
        }
        if (o.instance().state() == InstanceState.Restarting
                && o.actions().equals(List.of(InstanceOutcome.Action.STOP_NODE, InstanceOutcome.Action.START_NODE))) {
            try {
                beforeNodeStops.accept(name);
                nodes.restart(spec, name); // in one step where the provider can (Azure: POST restart)
            } catch (CloudException ex) {
                LOG.errorf("instance %s: restart failed (%s): %s", name, ex.errorClass(), ex.getMessage());
                synchronized (this) {
                    decide(name, new InstanceEvent.NodeFailed("restart failed: " + ex.getMessage()));
                }
            }
            return;
        }
        for (InstanceOutcome.Action a : o.actions()) {
            try {
                switch (a) {
                    case START_NODE -> nodes.start(spec, name);
                    case STOP_NODE -> {
                        beforeNodeStops.accept(name);
                        nodes.stop(spec, name);
                        nodeStopped(name, "its node stopped as asked");
                    }
                    case DELETE_NODE -> {
                        beforeNodeStops.accept(name);
                        nodes.delete(spec, name);
                        nodeStopped(name, "its node is deleted");
                    }
                }
            } catch (CloudException ex) {
                LOG.errorf("instance %s: %s failed (%s): %s", name, a, ex.errorClass(), ex.getMessage());
                synchronized (this) {
                    decide(name, new InstanceEvent.NodeFailed(a + " failed: " + ex.getMessage()));
                }
                return;
            }
        }
    }

    /** The provider says the node is down (its agent stopped); its silence would say so later anyway. */
    private void nodeStopped(String name, String why) {
        synchronized (this) {
            decide(name, new InstanceEvent.NodeDown(why));
            if (instances.get(name).snapshot().state() == InstanceState.Deleted) {
                instances.remove(name);
            }
        }
    }

    private static ZoneId zone(String name) {
        return name.equalsIgnoreCase("UTC") || name.equalsIgnoreCase("Coordinated Universal Time")
                ? ZoneId.of("UTC")
                : ZoneId.of(name);
    }
}
