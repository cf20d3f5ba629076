package dev.ebbtide.common.events;

/** Ebbtide's classes of cloud failure; each has one handling (see docs/azure.md). */
public enum ErrorClass {
    NONE,
    /** 429: wait for Retry-After, then retry. */
    THROTTLED,
    /** 5xx, timeouts: retry with jitter. */
    TRANSIENT,
    /** Core quota exceeded: back off the cluster, jobs wait "for quota". */
    QUOTA_EXCEEDED,
    /** Allocation failed / SKU not available: back off, "capacity unavailable". */
    CAPACITY_UNAVAILABLE,
    /** The resource is gone. */
    NOT_FOUND,
    /** 409 / 412: re-read and retry once. */
    CONFLICT,
    /** Operation preempted by another: retry. */
    PREEMPTED,
    /** Anything else: back off and report. */
    UNKNOWN
}
