package dev.ebbtide.core.fallback;

/** Why a choice gave no (or not all) nodes, as far as falling back cares. */
public enum Failure {
    /** The region had no capacity for the size (Azure: AllocationFailed, OverconstrainedAllocationRequest, …). */
    CAPACITY,
    /** The size is not offered (Azure: SkuNotAvailable). */
    SKU_NOT_AVAILABLE,
    /** A core quota would be exceeded, or the series awaits approval. */
    QUOTA,
    /** Anything else (throttling, transient, authorisation, …): another size would not help. */
    OTHER
}
