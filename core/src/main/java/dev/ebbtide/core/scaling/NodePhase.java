package dev.ebbtide.core.scaling;

/** A node's phase as the scaling policy sees it (Azure ML node states, simplified). */
public enum NodePhase {
    /** Requested and booting (Azure: preparing). Never removed by a policy. */
    PREPARING,
    /** Ready and without a job. The only phase a policy may remove. */
    IDLE,
    /** Assigned to or running a job. Never removed by a policy. */
    BUSY,
    /** Being removed; no longer counted. */
    LEAVING
}
