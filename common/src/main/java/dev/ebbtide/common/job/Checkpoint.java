package dev.ebbtide.common.job;

import java.util.Map;
import java.util.Optional;

/**
 * Ebbtide's extension for resuming a requeued job: the tag {@code ebbtide.checkpoint: <output name>} in the job's
 * {@code tags:} names one of its folder outputs as the checkpoint. Each attempt uploads it when its ranks end (also
 * after SIGTERM), and the next attempt's staging downloads it into the same output folder before the command runs.
 * A tag keeps the YAML valid for {@code az ml job create}, which stores tags and ignores them.
 */
public final class Checkpoint {
    public static final String TAG = "ebbtide.checkpoint";

    private Checkpoint() {}

    /** The checkpoint output's name, if the job declares one (whether it is usable is {@link #problem}'s). */
    public static Optional<String> output(Map<String, String> tags) {
        String name = tags == null ? null : tags.get(TAG);
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.strip());
    }

    /** One sentence when the tag names no folder output of the job; empty when it is fine or absent. */
    public static Optional<String> problem(Map<String, String> tags, Map<String, JobOutput> outputs) {
        if (tags != null && tags.containsKey(TAG) && output(tags).isEmpty()) {
            return Optional.of("tags." + TAG + " must name one of the job's outputs, got an empty value");
        }
        return output(tags).flatMap(name -> {
            JobOutput o = outputs.get(name);
            if (o == null) {
                return Optional.of("tags." + TAG + " names output '" + name + "', which the job does not declare;"
                        + " declared outputs: " + (outputs.isEmpty() ? "none" : String.join(", ", outputs.keySet())));
            }
            if ("uri_file".equals(o.type())) {
                return Optional.of("tags." + TAG + " names output '" + name + "', a uri_file; a checkpoint is a"
                        + " folder: give the output type uri_folder");
            }
            return Optional.empty();
        });
    }
}
