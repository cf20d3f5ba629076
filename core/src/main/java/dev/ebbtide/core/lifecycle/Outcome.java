package dev.ebbtide.core.lifecycle;

import java.time.Instant;
import java.util.List;

/**
 * What the lifecycle decided for one event: the job afterwards, its state changes (in order) and the stops to send.
 *
 * @param refusal a sentence when the event is refused (e.g. canceling an ended job); then nothing changed
 */
public record Outcome(JobSnapshot job, List<Transition> transitions, List<Stop> stops, String refusal) {
    public Outcome {
        transitions = List.copyOf(transitions);
        stops = List.copyOf(stops);
    }

    /** The job changed state. */
    public record Transition(JobPhase from, JobPhase to, String reason, Instant at) {}

    /** Ask these nodes to stop the job's attempt. */
    public record Stop(List<String> nodes, int attempt, String reason) {
        public Stop {
            nodes = List.copyOf(nodes);
        }
    }

    /** Nothing to do. */
    public static Outcome unchanged(JobSnapshot job) {
        return new Outcome(job, List.of(), List.of(), null);
    }

    public boolean changed() {
        return !transitions.isEmpty() || !stops.isEmpty() || refusal != null;
    }
}
