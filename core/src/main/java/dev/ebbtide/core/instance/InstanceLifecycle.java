package dev.ebbtide.core.instance;

import static dev.ebbtide.core.instance.InstanceState.Creating;
import static dev.ebbtide.core.instance.InstanceState.Deleted;
import static dev.ebbtide.core.instance.InstanceState.Deleting;
import static dev.ebbtide.core.instance.InstanceState.Failed;
import static dev.ebbtide.core.instance.InstanceState.JobRunning;
import static dev.ebbtide.core.instance.InstanceState.Restarting;
import static dev.ebbtide.core.instance.InstanceState.Running;
import static dev.ebbtide.core.instance.InstanceState.Starting;
import static dev.ebbtide.core.instance.InstanceState.Stopped;
import static dev.ebbtide.core.instance.InstanceState.Stopping;

import dev.ebbtide.core.instance.InstanceEvent.Create;
import dev.ebbtide.core.instance.InstanceEvent.Delete;
import dev.ebbtide.core.instance.InstanceEvent.NodeBusy;
import dev.ebbtide.core.instance.InstanceEvent.NodeDown;
import dev.ebbtide.core.instance.InstanceEvent.NodeFailed;
import dev.ebbtide.core.instance.InstanceEvent.NodeUp;
import dev.ebbtide.core.instance.InstanceEvent.Restart;
import dev.ebbtide.core.instance.InstanceEvent.Start;
import dev.ebbtide.core.instance.InstanceEvent.Stop;
import dev.ebbtide.core.instance.InstanceEvent.Tick;
import dev.ebbtide.core.instance.InstanceOutcome.Action;
import java.time.Instant;
import java.util.List;

/**
 * A compute instance's lifecycle as a pure function {@code (instance, event, now) → instance + actions}: one node,
 * never more, in Azure ML's states. Start, stop, restart and delete come from operators and schedules (a schedule's
 * stop, like Azure ML's, stops a busy instance too: its job goes back to the queue); the idle shutdown stops a
 * {@code Running} instance that has had no job for its {@code idle_time_before_shutdown}. A request that makes no
 * sense in the current state is refused with a sentence and changes nothing.
 */
public final class InstanceLifecycle {
    private InstanceLifecycle() {}

    public static InstanceOutcome apply(InstanceSnapshot i, InstanceEvent event, Instant now) {
        InstanceState s = i.state();
        if (s == Deleted) {
            return refuse(i, i.name() + " is deleted");
        }
        if (event instanceof Create) {
            return s == Creating ? go(i, Creating, now, "creating its node", Action.START_NODE) : same(i);
        }
        if (event instanceof Start st) {
            return switch (s) {
                case Stopped, Failed -> go(i, Starting, now, "started by " + who(st.source()), Action.START_NODE);
                case Starting, Creating, Restarting -> same(i);
                default -> refuse(i, i.name() + " is " + s + ": only a Stopped or Failed instance can be started");
            };
        }
        if (event instanceof Stop st) {
            return switch (s) {
                case Running, JobRunning, Starting, Creating, Restarting ->
                    go(i, Stopping, now, "stopped by " + who(st.source()), Action.STOP_NODE);
                case Stopping, Stopped -> same(i);
                default -> refuse(i, i.name() + " is " + s + ": it cannot be stopped");
            };
        }
        if (event instanceof Restart) {
            return switch (s) {
                case Running, JobRunning, Failed, Starting ->
                    go(i, Restarting, now, "restarted by an operator", Action.STOP_NODE, Action.START_NODE);
                default -> refuse(i, i.name() + " is " + s + ": only a running or failed instance can be restarted");
            };
        }
        if (event instanceof Delete) {
            return s == Deleting ? same(i) : go(i, Deleting, now, "deleted by an operator", Action.DELETE_NODE);
        }
        if (event instanceof NodeUp) {
            return switch (s) {
                case Creating, Starting, Restarting, Failed -> go(i, Running, now, "its node's agent announced itself");
                default -> same(i); // a late announcement while stopping or stopped changes nothing
            };
        }
        if (event instanceof NodeBusy b) {
            if (b.busy()) {
                return s == Running ? go(i, JobRunning, now, "running a job") : same(i);
            }
            return s == JobRunning ? go(i, Running, now, "its job ended; idle") : same(i);
        }
        if (event instanceof NodeDown d) {
            return switch (s) {
                case Stopping -> go(i, Stopped, now, i.reason()); // why it was stopped: operator, schedule, idle
                case Deleting -> go(i, Deleted, now, "its node is deleted");
                case Running, JobRunning -> go(i, Failed, now, "its node went down unasked: " + d.why());
                default -> same(i); // Restarting: its node is started again by the restart's own START_NODE
            };
        }
        if (event instanceof NodeFailed f) {
            return s == Deleting || s == Stopped ? same(i) : go(i, Failed, now, f.why());
        }
        if (event instanceof Tick) {
            return idleShutdown(i, now);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    /** When a tick could stop the instance for idleness, or null. */
    public static Instant nextCheckAt(InstanceSnapshot i) {
        return i.state() == Running && i.idleShutdown() != null && i.idleSince() != null
                ? i.idleSince().plus(i.idleShutdown())
                : null;
    }

    private static InstanceOutcome idleShutdown(InstanceSnapshot i, Instant now) {
        Instant due = nextCheckAt(i);
        if (due == null || now.isBefore(due)) {
            return same(i);
        }
        return go(
                i,
                Stopping,
                now,
                "idle for " + i.idleShutdown().toSeconds() + " s (idle_time_before_shutdown)",
                Action.STOP_NODE);
    }

    private static String who(InstanceEvent.Source source) {
        return switch (source) {
            case OPERATOR -> "an operator";
            case SCHEDULE -> "its schedule";
            case IDLE -> "the idle shutdown";
        };
    }

    private static InstanceOutcome go(
            InstanceSnapshot i, InstanceState next, Instant now, String why, Action... actions) {
        InstanceSnapshot after = i.to(next, now, why);
        return new InstanceOutcome(after, List.of(actions), null, nextCheckAt(after));
    }

    private static InstanceOutcome same(InstanceSnapshot i) {
        return new InstanceOutcome(i, List.of(), null, nextCheckAt(i));
    }

    private static InstanceOutcome refuse(InstanceSnapshot i, String why) {
        return new InstanceOutcome(i, List.of(), why, nextCheckAt(i));
    }
}
