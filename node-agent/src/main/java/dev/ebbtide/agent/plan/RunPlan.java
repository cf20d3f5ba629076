package dev.ebbtide.agent.plan;

import dev.ebbtide.agent.env.ImportedImage;
import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.common.job.CodeRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What this node does for its part of one job attempt, decided once by {@link RunPlanner} and executed by the agent:
 * what to stage, how each rank runs (its command with {@code ${{inputs}}}/{@code ${{outputs}}} filled, its environment,
 * its mounts, its runtime) and what to upload when the ranks end.
 *
 * @param code     the code snapshot unpacked into each rank's working directory, or null
 * @param inputs   data inputs to fetch before the ranks start (literals are already in the commands)
 * @param outputs  the node's output folders, created before the ranks start and uploaded when they end
 * @param runtime  the host's system, an imported image or an image's container
 * @param ranks    this node's processes, in local rank order
 * @param uploads  what goes to the datastore when the ranks end, in order (the manifest is merged last)
 * @param manifest output name → {@code azureml://datastores/<ds>/paths/<p>}: this node's part of the job's
 *                 {@code outputs.json}
 * @param checkpoint the output named by the tag {@code ebbtide.checkpoint}, or null
 */
public record RunPlan(
        String jobId,
        int attempt,
        int nodeRank,
        CodeRef code,
        List<InputStep> inputs,
        List<OutputFolder> outputs,
        Runtime runtime,
        List<RankPlan> ranks,
        List<Upload> uploads,
        Map<String, String> manifest,
        Checkpoint checkpoint) {

    public RunPlan {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        ranks = List.copyOf(ranks);
        uploads = List.copyOf(uploads);
        manifest = Map.copyOf(manifest);
    }

    /**
     * One data input to fetch.
     *
     * @param uri      the resolved location (datastore, blob or web URI); an asset or another job's output is resolved
     *                 to its datastore path before planning
     * @param written  the input's path as the job wrote it (for sentences)
     * @param hostDir  the folder on the node it is fetched into (bound read-only at {@code /mnt/azureml/inputs/<name>})
     * @param fileName for {@code uri_file}: the file's name in {@code hostDir}; null for folders
     * @param mode     {@code download}, or {@code ro_mount} served as a download
     */
    public record InputStep(
            String name, String type, String uri, String written, Path hostDir, String fileName, String mode) {
        public Path hostPath() {
            return fileName == null ? hostDir : hostDir.resolve(fileName);
        }
    }

    /**
     * One output: a fresh folder on the node, uploaded to {@code datastore}:{@code path} when the ranks end.
     *
     * @param fileName for a {@code uri_file} output whose {@code path:} names a file: the file in {@code hostDir} the
     *                 command writes and the upload takes; null for folders
     */
    public record OutputFolder(
            String name, String type, Path hostDir, String fileName, String datastore, String path) {}

    /**
     * The job's checkpoint: an output folder that an attempt after the first gets back, as the previous attempt
     * uploaded it, before its ranks start.
     *
     * @param restore true from the second attempt on: staging downloads {@code datastore}:{@code path} into
     *                {@code hostDir}
     */
    public record Checkpoint(String output, Path hostDir, String datastore, String path, boolean restore) {}

    /** What runs the ranks. */
    public sealed interface Runtime {
        /**
         * The node's own system; {@code python} (nullable) is linked as {@code python}/{@code python3} in
         * {@code binDir}, first on {@code PATH}; {@code packages} are Debian packages checked before the start.
         */
        record Host(String python, List<String> packages, Path binDir, String why) implements Runtime {}

        /** An imported image's root filesystem. */
        record Image(ImportedImage image, String why) implements Runtime {}

        /**
         * The image's container ({@code runtime=docker}): {@code image} is the normalized reference, pulled at staging;
         * the job's folders at the same {@code /mnt/azureml/…} paths as in the sandbox.
         */
        record Container(String image, String why) implements Runtime {}
    }

    /** One process: its working directory (the code folder), log, rendered command, environment and mounts. */
    public record RankPlan(
            int rank,
            int localRank,
            Path workDir,
            Path log,
            String command,
            Map<String, String> environment,
            List<Sandbox.Mount> mounts) {}

    /**
     * One upload: a folder (its files under {@code path}) or a file (to {@code path} exactly). A missing source is
     * skipped (a rank that wrote nothing to {@code ./outputs}).
     *
     * @param what names it in log lines and errors ("output out", "artifacts of rank 0", "the log of rank 0")
     */
    public record Upload(String what, Path source, boolean folder, String datastore, String path) {}
}
