package dev.ebbtide.messaging;

/**
 * What a consumer accepts at most. The defaults are generous for Ebbtide's events and tight enough that one record
 * can neither exhaust memory nor carry a value PostgreSQL refuses.
 *
 * @param maxValueBytes  a record's value, in bytes (Kafka's own default message limit is ~1 MiB)
 * @param maxKeyBytes    a record's key, in bytes (keys are cluster names)
 * @param maxStringChars any one JSON string (a job's command is at most 64 KiB, see {@code JobRules})
 * @param maxDepth       JSON nesting
 * @param maxHeaderBytes any one {@code ce_*} header value
 * @param nulAllowedIn   top-level fields whose text may hold NUL characters (a job's output); everywhere else NUL is
 *                       refused
 */
public record Limits(
        int maxValueBytes,
        int maxKeyBytes,
        int maxStringChars,
        int maxDepth,
        int maxHeaderBytes,
        java.util.Set<String> nulAllowedIn) {
    public static final Limits DEFAULT = new Limits(1024 * 1024, 256, 64 * 1024, 32, 1024, java.util.Set.of());
    /** For {@code JobLogChunk}: a program's output may contain NUL bytes; the scheduler stores them as bytes. */
    public static final Limits JOB_OUTPUT = new Limits(1024 * 1024, 256, 64 * 1024, 32, 1024, java.util.Set.of("data"));

    public Limits {
        nulAllowedIn = java.util.Set.copyOf(nulAllowedIn);
    }
}
