package dev.ebbtide.core.instance;

/** What can happen to a compute instance. */
public sealed interface InstanceEvent {

    /** Why a start or stop was asked: an operator, a schedule, or the idle shutdown. */
    enum Source {
        OPERATOR,
        SCHEDULE,
        IDLE
    }

    /** The instance was defined: create its node. */
    record Create() implements InstanceEvent {}

    record Start(Source source) implements InstanceEvent {}

    record Stop(Source source) implements InstanceEvent {}

    record Restart() implements InstanceEvent {}

    record Delete() implements InstanceEvent {}

    /** The node's agent announced itself (the node is up and idle). */
    record NodeUp() implements InstanceEvent {}

    /** The node started a job ({@code true}) or has none any more ({@code false}). */
    record NodeBusy(boolean busy) implements InstanceEvent {}

    /** The node's agent is gone: stopped as asked, or lost. */
    record NodeDown(String why) implements InstanceEvent {}

    /** The node could not be started or created. */
    record NodeFailed(String why) implements InstanceEvent {}

    /** Time passes (idle shutdown). */
    record Tick() implements InstanceEvent {}
}
